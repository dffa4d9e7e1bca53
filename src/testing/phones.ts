/**
 * SIP phones registered on the simulated switch: what `sofia_contact` answers, and what an
 * originate to `user/<ext>@<domain>` (or `sofia/<profile>/<ext>@<domain>`) does — ring and
 * answer with a voice, be busy, reject, ring until `originate_timeout` — or, unregistered, fail
 * with `USER_NOT_REGISTERED` as FreeSWITCH's `user/` endpoint does.
 *
 * @module
 */
import type { OriginateRule } from './call-flows.js';
import type { ApiCommand } from './switch-api.js';

/** What a phone does when called. */
export type PhoneBehavior = 'answer' | 'busy' | 'reject' | 'no-answer';

/** A registered phone. */
export interface SimulatedPhone {
  /** The extension (SIP user), e.g. `1001`. */
  user: string;
  /** Its domain, e.g. `acme.example.com`. */
  domain: string;
  /** Default `answer`. */
  behavior?: PhoneBehavior;
  /** Ms it rings before answering or failing. Default 1000 (`busy`, `reject`: 200). */
  ringMs?: number;
  /** What the person says once they answer (8 kHz PCM), heard in the leg's `unicast`. */
  speech?: Int16Array;
  /** The registered contact. Default `sip:<user>@127.0.0.1:5060`. */
  contact?: string;
  /** The SIP profile. Default `internal`. */
  profile?: string;
}

/** FreeSWITCH's answer to `sofia_contact` for a user with no registration. */
export const USER_NOT_REGISTERED = 'error/user_not_registered';

/** The phones registered on a simulator (`sim.phones`). */
export class SimulatedPhones {
  private readonly phones = new Map<string, SimulatedPhone>();

  /** Registers (or re-registers) a phone. */
  register(phone: SimulatedPhone): this {
    this.phones.set(key(phone.user, phone.domain), phone);
    return this;
  }

  /** Unregisters a phone; false when it was not registered. */
  unregister(user: string, domain: string): boolean {
    return this.phones.delete(key(user, domain));
  }

  /** The phone registered as `user@domain`, if any. */
  get(user: string, domain: string): SimulatedPhone | undefined {
    return this.phones.get(key(user, domain));
  }

  /** Every registered phone. */
  list(): SimulatedPhone[] {
    return [...this.phones.values()];
  }

  /**
   * `sofia_contact [profile/]user@domain`: `sofia/<profile>/<contact>` of the registration, or
   * `error/user_not_registered` (mod_sofia's texts; `*` or no profile searches every profile).
   */
  readonly sofiaContact: ApiCommand = (args) => {
    const text = args.trim();
    const slash = text.indexOf('/');
    const profile = slash === -1 ? undefined : text.slice(0, slash);
    const [user = '', domain = ''] = (slash === -1 ? text : text.slice(slash + 1)).split('@');
    const phone = this.get(user, domain);
    const profileOk = phone !== undefined && (profile === undefined || profile === '*' || profile === (phone.profile ?? 'internal') || profile === domain);
    if (!phone || !profileOk) return { body: USER_NOT_REGISTERED };
    return { body: `sofia/${phone.profile ?? 'internal'}/${phone.contact ?? `sip:${phone.user}@127.0.0.1:5060`}` };
  };

  /**
   * The originate rule for phones: `user/<ext>@<domain>` and `sofia/<profile>/<ext>@<domain>`
   * reach a registered phone (it rings, then does what its behavior says); `user/...` of an
   * unregistered user fails with `USER_NOT_REGISTERED`. Other endpoints are left alone.
   */
  readonly originateRule: OriginateRule = (endpoint) => {
    const m = /^(user|sofia\/[^/]+)\/(?:sip:)?([^@/]+)@([^/:;]+)/.exec(endpoint);
    if (!m) return undefined;
    const phone = this.get(m[2]!, m[3]!);
    if (!phone) return m[1] === 'user' ? { cause: 'USER_NOT_REGISTERED' } : undefined;
    const behavior = phone.behavior ?? 'answer';
    const ringMs = phone.ringMs ?? (behavior === 'busy' || behavior === 'reject' ? 200 : 1000);
    if (behavior === 'busy') return { ring: { failAfterMs: ringMs, cause: 'USER_BUSY' } };
    if (behavior === 'reject') return { ring: { failAfterMs: ringMs, cause: 'CALL_REJECTED' } };
    if (behavior === 'no-answer') return { ring: { ringForever: true } };
    return { ring: { answerAfterMs: ringMs, ...(phone.speech && { farEndAudio: phone.speech }) } };
  };
}

function key(user: string, domain: string): string {
  return `${user}@${domain.toLowerCase()}`;
}
