// @ts-check
/**
 * A TypeDoc plugin for this project's API reference (loaded by typedoc.config.mjs):
 *
 * - **Areas.** Every export gets the `@category` of the area its source file is in (ESL inbound,
 *   ESL outbound, Media, Realtime, ...: {@link AREAS}); a `@category` written in the source wins.
 *   An export from a file no area claims is a warning, so a new file cannot land uncategorized.
 * - **Events.** Every class (or interface) that emits events gets an "Events" section on its own
 *   page listing each event, its arguments and its description, linked to its events interface:
 *   found from `extends EventEmitter<XEvents>` (also through a base class), or named by an
 *   `@events {@link XEvents}` tag. An emitter whose events cannot be found, or an event without a
 *   description, is a warning.
 * - **Stability.** Each area of each entry point has an `@categoryDescription` that starts with
 *   "Stable" or "Experimental" (the README's table says the same; a test compares them).
 * - **Documented members.** Every named property of an exported class or interface has TSDoc.
 * - **Quiet inherited API.** eventemitter3's members other than `on`, `once` and `off`
 *   (`emit`, `addListener`, `listenerCount`, ...) are left off class pages.
 *
 * With `treatWarningsAsErrors` every warning fails `npm run docs`.
 */
import { relative } from 'node:path';
import { Comment, CommentTag, Converter, DeclarationReflection, ReferenceType, ReflectionKind } from 'typedoc';

/**
 * Source path patterns → area, first match wins. The areas are the `@category` of the main
 * module, of `freeswitch-voice-ai/testing` and of `freeswitch-voice-ai/rtcp`.
 * @type {readonly [RegExp, string][]}
 */
export const AREAS = [
  [/^src\/esl\/(esl-pool|esl-pool-options|esl-node|channel-owners|originate-limiter)\.ts$/, 'ESL pool'],
  [/^src\/config\/client-pool\.ts$/, 'ESL pool'],
  [/^src\/esl\/(client|client-[a-z-]+|inbound-[a-z-]+|api-commands|background-jobs|originate|reconnect|event-router|connection|open-socket)\.ts$/, 'ESL inbound'],
  [/^src\/esl\/(outbound-[a-z-]+|call-[a-z-]+|channel-data|execution-tracker|ip-allowlist|handshake-budget|session-state)\.ts$/, 'ESL outbound'],
  [/^src\/esl\/(frame-parser|header-block|event|event-serializer|json-headers|commands|reply|url-codec)\.ts$/, 'ESL protocol'],
  [/^src\/media\/(audio-format|g711|pcm|resampler|resampler-simd|fir-design|wire-codec|wire-transcoder)\.ts$/, 'Audio'],
  [/^src\/media\/(ws-[a-z-]+|audio-stream-modules|stream-receiver|answer-[a-z-]+|binary-answer|file-answer)\.ts$/, 'WebSocket media'],
  [/^src\/media\/rtcp\.ts$/, 'RTCP'],
  [/^src\/media\/[a-z0-9-]+\.ts$/, 'Media'],
  [/^src\/realtime\/providers\/[a-z0-9-]+\.ts$/, 'Providers'],
  [/^src\/realtime\/[a-z0-9-]+\.ts$/, 'Realtime'],
  [/^src\/config\/[a-z-]+\.ts$/, 'Configuration'],
  [/^src\/(logger|log-throttle)\.ts$/, 'Logging'],
  [/^src\/(observability\/[a-z-]+|error-reporting)\.ts$/, 'Observability'],
  [/^src\/process\/[a-z-]+\.ts$/, 'Process'],
  [/^src\/errors\.ts$/, 'Errors'],
  [/^src\/testing\/(capture-[a-z-]+|ws-recording-replay)\.ts$/, 'Recordings'],
  [/^src\/testing\/(unicast-media|audio-stream-simulator|simulated-audio-stream|call-recording)\.ts$/, 'Simulated media'],
  [/^src\/testing\/[a-z-]+\.ts$/, 'Simulator'],
];

/** eventemitter3 members kept on class pages: the typed way to listen. */
const LISTENING = new Set(['on', 'once', 'off']);

const TOP_LEVEL =
  ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.Function | ReflectionKind.Variable | ReflectionKind.TypeAlias | ReflectionKind.Enum;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const logger = app.logger;
    const declarations = /** @type {DeclarationReflection[]} */ (Object.values(project.reflections).filter((r) => r instanceof DeclarationReflection));

    for (const reflection of declarations) {
      if (reflection.kindOf(ReflectionKind.Class)) hideInheritedEmitterMembers(project, reflection);
    }
    const exported = declarations.filter((r) => r.kindOf(TOP_LEVEL) && r.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project));
    // Every emitter's events first, from the source's own tags, before any section is written.
    const emitters = exported.filter((r) => r.kindOf(ReflectionKind.Class | ReflectionKind.Interface)).map((r) => /** @type {const} */ ([r, eventsOf(r)]));
    for (const reflection of exported) assignArea(reflection, logger);
    for (const [reflection, found] of emitters) listEvents(reflection, found, logger);
  }, -100);

  // After TypeDoc's CategoryPlugin (-200): every area of every module says how settled it is,
  // and every named property of an exported class or interface is documented (TypeDoc's own
  // `notDocumented` would also ask it of each member of an inline object type).
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const owner of context.project.getReflectionsByKind(ReflectionKind.Class | ReflectionKind.Interface)) {
      if (!(owner instanceof DeclarationReflection)) continue;
      for (const property of owner.children ?? []) {
        if (!property.kindOf(ReflectionKind.Property) || property.inheritedFrom || property.implementationOf || property.overwrites) continue;
        const documented = (property.comment?.summary ?? []).some((part) => part.text.trim() !== '') || property.comment?.getTag('@deprecated');
        if (!documented) app.logger.warn(/** @type {import('typedoc').TranslatedString} */ (`${property.getFriendlyFullName()} (${sourceOf(property) ?? 'no source'}): a property without documentation`));
      }
    }
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      if (!(module instanceof DeclarationReflection)) continue;
      for (const category of module.categories ?? []) {
        const text = (category.description ?? []).map((part) => part.text).join('').trim();
        if (!/^(Stable|Experimental)\b/.test(text)) {
          app.logger.warn(/** @type {import('typedoc').TranslatedString} */ (`${module.name}: area "${category.title}" needs an @categoryDescription starting with Stable or Experimental`));
        }
      }
    }
  }, -300);
}

/** The project-relative source file of a reflection (`src/esl/client.ts`). */
function sourceOf(/** @type {DeclarationReflection} */ reflection) {
  const source = reflection.sources?.[0] ?? reflection.signatures?.[0]?.sources?.[0];
  return source === undefined ? undefined : relative(process.cwd(), source.fullFileName).replaceAll('\\', '/');
}

/** Adds `@category <area>` unless the source wrote one. */
function assignArea(/** @type {DeclarationReflection} */ reflection, /** @type {import('typedoc').Logger} */ logger) {
  const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
  if (comments.some((c) => c?.blockTags.some((t) => t.tag === '@category'))) return;
  const file = sourceOf(reflection);
  const area = file === undefined ? undefined : AREAS.find(([pattern]) => pattern.test(file))?.[1];
  if (area === undefined) {
    logger.warn(/** @type {import('typedoc').TranslatedString} */ (`${reflection.getFriendlyFullName()} (${file ?? 'no source'}): no area claims this file; add it to AREAS in scripts/typedoc-areas.mjs`));
    return;
  }
  reflection.comment ??= new Comment();
  reflection.comment.blockTags.push(new CommentTag('@category', [{ kind: 'text', text: area }]));
}

/** Drops eventemitter3's members other than `on`/`once`/`off` from a class's page. */
function hideInheritedEmitterMembers(/** @type {import('typedoc').ProjectReflection} */ project, /** @type {DeclarationReflection} */ reflection) {
  for (const child of [...(reflection.children ?? [])]) {
    const from = child.inheritedFrom ?? child.signatures?.[0]?.inheritedFrom;
    const external = from instanceof ReferenceType && (from.package === 'eventemitter3' || /^EventEmitter\./.test(from.name));
    if (external && !LISTENING.has(child.name)) project.removeReflection(child);
  }
}

/**
 * The events interface of a class or interface: named by its `@events` tag, else the type
 * argument of an `EventEmitter<...>` it extends (directly or through a base class).
 * @returns {{ events: DeclarationReflection | undefined, emitter: boolean, written?: boolean, link?: import('typedoc').CommentDisplayPart }}
 */
function eventsOf(/** @type {DeclarationReflection} */ reflection) {
  const tag = reflection.comment?.getTag('@events');
  if (tag) {
    // `@events {@link XEvents} ...`: the events interface, then any words of the source's own.
    // A tag that does not start with a link is a hand-written section (FreeSWITCH's events by name).
    const first = tag.content.find((part) => part.text.trim() !== '');
    if (first?.kind !== 'inline-tag' || first.tag !== '@link') return { events: undefined, emitter: true, written: true };
    // Links are resolved later in TypeDoc's pipeline: find the interface by the name linked.
    const name = (typeof first.target === 'string' ? first.target : first.text).trim();
    const module = reflection.parent;
    const found = module instanceof DeclarationReflection || module?.isProject() ? module.getChildByName(name) : undefined;
    return { events: found instanceof DeclarationReflection ? found : undefined, emitter: true, link: first };
  }
  for (const type of reflection.extendedTypes ?? []) {
    if (!(type instanceof ReferenceType)) continue;
    if (type.name === 'EventEmitter' && type.package === 'eventemitter3') {
      const argument = type.typeArguments?.[0];
      const events = argument instanceof ReferenceType ? argument.reflection : undefined;
      return { events: events instanceof DeclarationReflection ? events : undefined, emitter: true };
    }
    const base = type.reflection;
    if (base instanceof DeclarationReflection) {
      const inherited = eventsOf(base);
      if (inherited.emitter) return inherited;
    }
  }
  return { events: undefined, emitter: false };
}

/** Fills the `@events` section of an emitter's page: each event, its arguments, its description. */
function listEvents(
  /** @type {DeclarationReflection} */ reflection,
  /** @type {ReturnType<typeof eventsOf>} */ { events, emitter, written, link },
  /** @type {import('typedoc').Logger} */ logger,
) {
  if (written) return;
  const name = reflection.getFriendlyFullName();
  if (!emitter) {
    const listens = (reflection.children ?? []).some((child) => child.name === 'on' && child.kindOf(ReflectionKind.Method));
    if (listens) logger.warn(/** @type {import('typedoc').TranslatedString} */ (`${name} has an \`on\` method but no events interface: tag it @events {@link XEvents}`));
    return;
  }
  if (!events) {
    logger.warn(/** @type {import('typedoc').TranslatedString} */ (`${name} emits events but its events interface is not documented here (extend EventEmitter<XEvents> with an exported XEvents, or tag @events {@link XEvents})`));
    return;
  }
  /** @type {import('typedoc').CommentDisplayPart[]} */
  const parts = [
    { kind: 'text', text: 'Listen with `on`, `once` and `off`; the events and their arguments are typed by ' },
    { kind: 'inline-tag', tag: '@link', text: events.name, target: events },
    { kind: 'text', text: '.\n' },
  ];
  const members = (events.children ?? []).filter((child) => child.kindOf(ReflectionKind.Property));
  for (const event of members) {
    const summary = event.comment?.summary ?? [];
    if (summary.length === 0) logger.warn(/** @type {import('typedoc').TranslatedString} */ (`${events.name}.${event.name}: an event without a description`));
    const args = event.type?.type === 'tuple' ? event.type.elements.map((e) => e.toString()).join(', ') : event.type?.toString() ?? '';
    parts.push(
      { kind: 'text', text: '\n- ' },
      { kind: 'inline-tag', tag: '@link', text: `\`${event.name}\``, target: event },
      { kind: 'code', text: `\`(${args})\`` },
      { kind: 'text', text: ': ' },
      ...summary.map((part) => (part.kind === 'text' ? { ...part, text: part.text.replaceAll('\n', ' ') } : part)),
    );
  }
  // What the @events tag says besides the link (e.g. that FreeSWITCH's events arrive by name too).
  const own = (reflection.comment?.getTag('@events')?.content ?? []).filter((part) => part !== link);
  if (own.some((part) => part.text.trim() !== '')) parts.push({ kind: 'text', text: '\n\n' }, ...own);
  if (members.length === 0) logger.warn(/** @type {import('typedoc').TranslatedString} */ (`${events.name}: an events interface without events`));
  reflection.comment ??= new Comment();
  const tags = reflection.comment.blockTags.filter((t) => t.tag !== '@events');
  reflection.comment.blockTags = [...tags, new CommentTag('@events', parts)];
}
