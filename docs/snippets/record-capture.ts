import { writeFileSync } from 'node:fs';
import { CaptureRecorder } from 'freeswitch-voice-ai/testing';

// Inbound: the application connects to the recorder, the recorder to FreeSWITCH's 8021.
const recorder = new CaptureRecorder({ target: { host: '10.0.0.5', port: 8021 }, description: 'what this shows' });
await recorder.start();                     // listens on 127.0.0.1, an ephemeral port
// ... run the scenario against recorder's port ...
writeFileSync('test/fixtures/esl/my-scenario.json', JSON.stringify(await recorder.next(), null, 2));
