import { FreeSwitchSimulator, SimulatedAudioStreamModules } from 'freeswitch-voice-ai/testing';

const modules = new SimulatedAudioStreamModules();         // mod_audio_stream and (jambonz) mod_audio_fork
const sim = new FreeSwitchSimulator({ api: modules.api, playback: modules.playback() });
modules.attach(sim);
await sim.start();
// ... a call to your outbound server starts its stream; then:
// const stream = await modules.waitForStream(uuid);       // what the module sent and received
// modules.playbacksOf(uuid);                              // the answer files FreeSWITCH played
await sim.stop();
modules.cleanup();
