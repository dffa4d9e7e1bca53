/**
 * `freeswitch-voice-ai doctor`: the troubleshooting FreeSWITCH/FusionPBX operators do by hand,
 * as checks in the order a call needs them — the event socket (name, TCP, login, ACL, default
 * password), the switch (status, modules), the service's port, the dialplan for a number, a
 * test call through it to the `socket` target, the RTP ports, and audio there and back. Each
 * finding says what was seen and, when something is wrong, what to change.
 */
import { AsyncESLClient, EslAuthError, ErrorCodes, type OutboundServer, createOutboundServer } from 'freeswitch-voice-ai';
import { parseSocketTarget } from 'freeswitch-voice-ai/testing';
import { findExtension } from './dialplan-scan.js';
import { probeTcp, probeUdpRange, resolveHost, tryListen } from './network.js';
import type { Finding } from './report.js';
import { ProbeCalls, testCall } from './test-call.js';

/** What to check. */
export interface DoctorOptions {
  esl: { host: string; port: number; password: string };
  /** Where the secretary listens (ESL_SERVER_HOST/PORT). */
  server: { host: string; port: number };
  rtp: { min: number; max: number; bindAddress: string };
  /** A number the dialplan sends to the secretary (dialplan and test-call checks). */
  number?: string;
  /** Its dialplan context (FusionPBX: the domain name). Default `default`. */
  context?: string;
  /** Ms per network step. Default 5000. */
  timeoutMs?: number;
  /** Receives each finding as it is made. */
  onFinding?: (finding: Finding) => void;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;
const CONF = '/etc/freeswitch/autoload_configs/event_socket.conf.xml';

/** Runs every check; resolves with the findings in order. */
export async function runDoctor(o: DoctorOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (f: Finding): void => {
    findings.push(f);
    o.onFinding?.(f);
  };
  const timeout = o.timeoutMs ?? 5000;
  const { host, port, password } = o.esl;
  const esl = `${host}:${port}`;
  const skipEsl = (id: string, what: string): void => add({ id, status: 'skip', summary: `${what}: needs the event socket login` });

  // --- the event socket
  const address = await resolveHost(host);
  if (!address) {
    add({ id: 'esl-resolve', status: 'fail', summary: `ESL_HOST ${host} does not resolve`, fix: "Set ESL_HOST to FreeSWITCH's IP address or a name this host resolves (in Docker: host.docker.internal with extra_hosts, or network_mode: host and 127.0.0.1)." });
  } else {
    add({ id: 'esl-resolve', status: 'pass', summary: `ESL_HOST ${host} resolves${address !== host ? ` to ${address}` : ''}` });
  }
  const tcp = address ? await probeTcp(address, port, timeout) : undefined;
  if (tcp && !tcp.ok) {
    const fixes: Record<string, string> = {
      refused: `Nothing listens on ${esl}. Is FreeSWITCH running (systemctl status freeswitch)? Is mod_event_socket loaded (fs_cli -x 'module_exists mod_event_socket')?\nIn ${CONF}, listen-ip must be reachable from here (0.0.0.0 or this network's address, not 127.0.0.1 when this service runs on another host) and listen-port must be ESL_PORT (${port}); then fs_cli -x 'reload mod_event_socket'.`,
      timeout: `No answer from ${esl} within ${timeout} ms: a firewall drops the packets, or the address is wrong. Allow TCP ${port} from this host (ufw allow from <this host> to any port ${port} proto tcp; iptables -A INPUT -p tcp --dport ${port} -j ACCEPT).`,
      unreachable: `No route to ${host}: check the address and this host's network (Docker: the container's network mode).`,
      other: `Check ESL_HOST/ESL_PORT (${esl}).`,
    };
    add({ id: 'esl-connect', status: 'fail', summary: `TCP ${esl}: ${tcp.reason === 'refused' ? 'connection refused' : tcp.reason === 'timeout' ? 'no answer (timed out)' : tcp.code}`, fix: fixes[tcp.reason] });
  } else if (tcp) {
    add({ id: 'esl-connect', status: 'pass', summary: `TCP ${esl} accepts connections (mod_event_socket is listening)` });
  }

  let client: AsyncESLClient | undefined;
  if (tcp?.ok) {
    const c = new AsyncESLClient({ host, port, password, connectTimeout: timeout, readTimeout: timeout * 3, maxReconnectAttempts: 0 });
    try {
      await c.connect();
      client = c;
      add({ id: 'esl-auth', status: 'pass', summary: `logged in to the event socket at ${esl}` });
    } catch (error) {
      await c.close().catch(() => {});
      if (error instanceof EslAuthError && error.code === ErrorCodes.ESL_ACCESS_DENIED) {
        add({ id: 'esl-auth', status: 'fail', summary: `the event socket's ACL rejected this host (text/rude-rejection)`, fix: `${CONF} has apply-inbound-acl; allow this host in that ACL (acl.conf.xml, e.g. <node type="allow" cidr="<this host>/32"/> in the list it names), then fs_cli -x 'reloadacl' and fs_cli -x 'reload mod_event_socket'.` });
      } else if (error instanceof EslAuthError) {
        add({ id: 'esl-auth', status: 'fail', summary: 'wrong event socket password (auth answered -ERR invalid)', fix: `ESL_PASSWORD must be the password param of ${CONF} (grep password ${CONF}); after changing the file: fs_cli -x 'reload mod_event_socket'.` });
      } else {
        add({ id: 'esl-auth', status: 'fail', summary: `the event socket did not complete the login: ${(error as Error).message}`, fix: `Is ${esl} FreeSWITCH's event socket (not another service)? Try: telnet ${host} ${port}, then "auth <password>".` });
      }
    }
  } else {
    add({ id: 'esl-auth', status: 'skip', summary: 'login: needs a TCP connection to the event socket' });
  }
  if (password === 'ClueCon') {
    const local = LOOPBACK.test(host);
    add({
      id: 'esl-password',
      status: local ? 'warn' : 'fail',
      summary: `the event socket password is FreeSWITCH's public default (ClueCon)${local ? ' (on localhost)' : ` on ${host}, reachable over the network`}`,
      fix: `Anyone who reaches ${esl} with it controls the switch. Set a long random password in ${CONF} and in ESL_PASSWORD.`,
    });
  } else {
    add({ id: 'esl-password', status: 'pass', summary: 'the event socket password is not the public default' });
  }

  try {
    // --- the switch
    let loopback = false;
    if (client) {
      try {
        const status = await client.status();
        const sessions = status.sessions ?? 0;
        const max = status.maxSessions;
        add({
          id: 'freeswitch-status',
          status: status.ready ? 'pass' : 'fail',
          summary: `FreeSWITCH ${status.version ?? ''} is ${status.ready ? 'ready' : 'NOT ready'}, up ${Math.round(status.uptimeMs / 1000)} s, ${sessions} session(s)${max ? ` of ${max}` : ''}`.replace(/ {2,}/g, ' '),
          fix: status.ready ? undefined : 'FreeSWITCH is still starting or shutting down: see fs_cli -x status and its log.',
        });
        if (status.ready && max && sessions > 0.8 * max) add({ id: 'freeswitch-sessions', status: 'warn', summary: `${sessions} of ${max} sessions in use`, fix: 'Raise max-sessions in switch.conf.xml or spread the load.' });
      } catch (error) {
        add({ id: 'freeswitch-status', status: 'fail', summary: `api status failed: ${(error as Error).message}` });
      }
      const exists = async (m: string): Promise<boolean> => (await client!.api(`module_exists ${m}`)).text.trim() === 'true';
      const missing: string[] = [];
      for (const m of ['mod_event_socket', 'mod_sofia', 'mod_loopback', 'mod_local_stream']) if (!(await exists(m).catch(() => false))) missing.push(m);
      loopback = !missing.includes('mod_loopback');
      add({
        id: 'modules',
        status: missing.length === 0 ? 'pass' : 'warn',
        summary: missing.length === 0 ? 'modules loaded: mod_event_socket, mod_sofia, mod_loopback, mod_local_stream' : `modules not loaded: ${missing.join(', ')}`,
        fix: 'Load them (fs_cli -x "load mod_loopback"; permanently in modules.conf.xml). mod_loopback is needed for the test call, mod_local_stream for the music on hold of announced transfers.',
      });
    } else {
      skipEsl('freeswitch-status', 'FreeSWITCH status');
      skipEsl('modules', 'modules');
    }

    // --- the service's port
    let probes: ProbeCalls | undefined;
    let ownServer: OutboundServer | undefined;
    const listen = `${o.server.host}:${o.server.port}`;
    const free = await tryListen(o.server.host, o.server.port);
    if ('server' in free) {
      await new Promise<void>((r) => free.server.close(() => r()));
      probes = new ProbeCalls();
      ownServer = createOutboundServer({ host: o.server.host, port: o.server.port, maxConnections: 4 }, probes.handler);
      try {
        await ownServer.listen();
        add({ id: 'outbound-port', status: 'warn', summary: `${listen} is free: the secretary is not running (the doctor listens there for the test call)`, fix: 'Start the secretary (npm run secretary / docker compose up -d) once the checks pass.' });
      } catch (error) {
        ownServer = probes = undefined;
        add({ id: 'outbound-port', status: 'fail', summary: `cannot listen on ${listen}: ${(error as Error).message}` });
      }
    } else if (free.code === 'EADDRINUSE') {
      add({ id: 'outbound-port', status: 'pass', summary: `${listen} is in use (the secretary is running)` });
    } else {
      add({ id: 'outbound-port', status: 'fail', summary: `cannot listen on ${listen} (${free.code})`, fix: `ESL_SERVER_HOST must be an address of this host (0.0.0.0 for all) and ESL_SERVER_PORT a free port above 1023.` });
    }

    try {
      // --- the dialplan and the test call
      const context = o.context ?? 'default';
      if (!o.number) {
        add({ id: 'dialplan', status: 'skip', summary: 'dialplan: give --number <the number that reaches the secretary> (and --context <domain>) to check it and place a test call' });
      } else if (!client) {
        skipEsl('dialplan', 'dialplan');
      } else {
        const located = (await client.api(`xml_locate dialplan context name ${context}`).catch(() => undefined))?.text ?? '';
        const isXml = located.trimStart().startsWith('<');
        const match = isXml ? safeFind(located, o.number) : undefined;
        if (!isXml) {
          add({ id: 'dialplan', status: 'skip', summary: `context ${context} is not in the static XML (FusionPBX serves it from its database per call): the test call below checks it` });
        } else if (!match) {
          add({ id: 'dialplan', status: 'fail', summary: `no extension in context ${context} takes ${o.number}`, fix: dialplanFix(o.number, context) });
        } else if (!match.socket) {
          add({ id: 'dialplan', status: 'fail', summary: `extension ${match.name} takes ${o.number} but has no socket action`, fix: dialplanFix(o.number, context) });
        } else {
          // Read as FreeSWITCH's socket application reads it: port 8084 when absent, flags in any case.
          const target = parseSocketTarget(match.socket);
          const wrongPort = target?.port !== o.server.port;
          add({
            id: 'dialplan',
            status: wrongPort || !target?.full ? 'fail' : 'pass',
            summary: `extension ${match.name} sends ${o.number} to socket ${match.socket}`,
            fix: wrongPort ? `The secretary listens on port ${o.server.port} (ESL_SERVER_PORT): make the socket data <host>:${o.server.port} async full.` : 'Use "async full": the secretary needs api and events on the socket.',
          });
        }
        if (!loopback) {
          add({ id: 'socket-reach', status: 'skip', summary: 'test call: needs mod_loopback' });
          add({ id: 'audio', status: 'skip', summary: 'audio check: needs mod_loopback' });
        } else {
          const call = await testCall({ client, number: o.number, context, probes, rtp: o.rtp, timeoutMs: timeout });
          reportTestCall(add, call, o.number, context, listen, o.server.port);
        }
      }
    } finally {
      await ownServer?.close();
    }
  } finally {
    await client?.close();
  }

  // --- the media ports
  const rtp = await probeUdpRange(o.rtp.bindAddress, o.rtp.min, o.rtp.max);
  const range = `${o.rtp.bindAddress} ${o.rtp.min}-${o.rtp.max}`;
  if (rtp.free === 0) {
    add({ id: 'rtp-ports', status: 'fail', summary: `no UDP port of ${range} can be bound${rtp.error ? ` (${rtp.error})` : ' (all in use)'}`, fix: 'RTP_BIND_ADDRESS must be an address of this host (0.0.0.0 for all); RTP_PORT_MIN..MAX a range nothing else uses.' });
  } else {
    add({
      id: 'rtp-ports',
      status: rtp.free < rtp.total / 2 ? 'warn' : 'pass',
      summary: `${rtp.free} of ${rtp.total} UDP ports of ${range} are free (${rtp.free} concurrent calls)${rtp.inUse ? `; ${rtp.inUse} in use` : ''}`,
      fix: `Open UDP ${o.rtp.min}-${o.rtp.max} on this host and ${o.rtp.min + 1000}-${o.rtp.max + 1000} on FreeSWITCH's (its unicast ports) in the firewalls.`,
    });
  }
  return findings;
}

function safeFind(xml: string, number: string): ReturnType<typeof findExtension> {
  try {
    return findExtension(xml, number);
  } catch {
    return undefined;
  }
}

function dialplanFix(number: string, context: string): string {
  return [
    `Install the extension: freeswitch-voice-ai dialplan --number ${number} --domain ${context} --sql | sudo -u postgres psql fusionpbx -v ON_ERROR_STOP=1`,
    `(or paste "freeswitch-voice-ai dialplan --number ${number}" in FusionPBX's Dialplan Manager); keep continue="false" and a low order (5) so no catch-all takes the call first;`,
    `then rm -f /var/cache/fusionpbx/dialplan.${context} and fs_cli -x 'reloadxml'.`,
  ].join('\n');
}

function reportTestCall(add: (f: Finding) => void, call: Awaited<ReturnType<typeof testCall>>, number: string, context: string, listen: string, port: number): void {
  if (call.originateCause) {
    const noRoute = call.originateCause === 'NO_ROUTE_DESTINATION';
    add({
      id: 'socket-reach',
      status: 'fail',
      summary: noRoute ? `test call: no route for ${number} in context ${context} (NO_ROUTE_DESTINATION)` : `test call to ${number} failed: ${call.originateCause}`,
      fix: noRoute ? dialplanFix(number, context) : call.originateCause === 'DESTINATION_OUT_OF_ORDER' ? `The call reached the dialplan and failed there: check the extension (continue="false", its order) and the FreeSWITCH log (fs_cli).` : 'See the FreeSWITCH log (fs_cli -x "console loglevel debug").',
    });
    add({ id: 'audio', status: 'skip', summary: 'audio check: needs the test call' });
    return;
  }
  if (call.answeredBy) {
    add({ id: 'socket-reach', status: 'pass', summary: `test call: ${number} in ${context} reached ${call.answeredBy === 'doctor' ? `this host on ${listen}` : 'the running secretary'} through the socket application${call.socketData ? ` (${call.socketData})` : ''}` });
  } else if (call.socketData) {
    add({
      id: 'socket-reach',
      status: 'fail',
      summary: `test call: the dialplan ran socket ${call.socketData}, but nothing answered there`,
      fix: `FreeSWITCH could not connect to ${call.socketData.split(/\s+/)[0]}: use an address FreeSWITCH reaches (this host's, not 127.0.0.1 when they are on different hosts; Docker: publish ${port}/tcp or network_mode: host), allow TCP ${port} in the firewall, and keep the secretary listening (ESL_SERVER_HOST 0.0.0.0).`,
    });
  } else {
    add({ id: 'socket-reach', status: 'fail', summary: `test call: ${number} in ${context} is routed, but not to a socket application`, fix: `Another extension takes the call first (a catch-all, or ours with continue="true"): give ours a lower order and continue="false".\n${dialplanFix(number, context)}` });
  }
  if (call.answeredBy !== 'doctor') {
    add({ id: 'audio', status: 'skip', summary: call.answeredBy === 'service' ? 'audio check: the secretary is running on the port; stop it to let the doctor send a tone' : 'audio check: needs the test call to reach the doctor' });
  } else if (call.audio?.heardAfterMs !== undefined) {
    add({ id: 'audio', status: 'pass', summary: `audio: a 1 kHz tone sent through unicast came back through the loopback call after ${call.audio.heardAfterMs} ms` });
  } else {
    add({
      id: 'audio',
      status: 'fail',
      summary: `audio: the tone sent through unicast never came back${call.audio?.error ? ` (${call.audio.error})` : ''}`,
      fix: "FreeSWITCH's unicast and this host's RTP ports do not reach each other: open the UDP ranges in both firewalls, set RTP_BIND_ADDRESS to an address FreeSWITCH reaches, and check NAT.",
    });
  }
}
