// @ts-check
/**
 * The API reference (`npm run docs`, into docs/api/): the package's three entry points grouped
 * by area (scripts/typedoc-areas.mjs), each emitter's events on its class page, the guides in
 * docs/ as pages of the site, links to the source at the commit built. Every warning is an
 * error, and so is an export, method or accessor without TSDoc.
 */
import { readFileSync } from 'node:fs';
import hostedGitInfo from 'hosted-git-info';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// The repository as package.json names it ("owner/name"); hosted-git-info (npm's own) knows
// where such a repository browses, so no host is written here.
const repository = hostedGitInfo.fromUrl(typeof pkg.repository === 'string' ? pkg.repository : pkg.repository.url);
if (!repository) throw new Error(`package.json: cannot read the repository ${JSON.stringify(pkg.repository)}`);
const REVISION = 'GIT_REVISION_PLACEHOLDER';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  entryPoints: ['src/index.ts', 'src/testing/index.ts', 'src/media/rtcp.ts'],
  out: 'docs/api',
  name: pkg.name,
  readme: 'README.md',
  projectDocuments: ['docs/*.md'],
  plugin: ['./scripts/typedoc-areas.mjs'],
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true, rewrittenLink: true, unusedMergeModuleWith: true },
  requiredToBeDocumented: ['Enum', 'EnumMember', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias', 'Method', 'Accessor'],
  blockTags: [...(await import('typedoc')).OptionDefaults.blockTags, '@events'],
  categorizeByGroup: false,
  categoryOrder: [
    'ESL inbound',
    'ESL outbound',
    'ESL protocol',
    'ESL pool',
    'Media',
    'Audio',
    'WebSocket media',
    'Realtime',
    'Providers',
    'Configuration',
    'Observability',
    'Logging',
    'Process',
    'Errors',
    'Simulator',
    'Simulated media',
    'Recordings',
    'RTCP',
    '*',
  ],
  navigation: { includeCategories: true, includeGroups: false, includeFolders: false },
  sourceLinkTemplate: `${repository.browseFile('{path}', { committish: REVISION }).replace(REVISION, '{gitRevision}')}#L{line}`,
  highlightLanguages: ['typescript', 'javascript', 'ts', 'js', 'json', 'sh', 'bash', 'xml', 'sql', 'yaml', 'dockerfile', 'ini'],
};

export default config;
