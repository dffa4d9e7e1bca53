-- 001: v_voice_secretaries — one row per AI secretary of a tenant (domain_uuid).
-- Idempotent: runs on a fresh database, on itself, and on a database where the voice-ai-ivr
-- project already created this table (its columns are kept; ours are added when missing).

CREATE TABLE IF NOT EXISTS v_voice_secretaries (
    voice_secretary_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domain_uuid uuid NOT NULL REFERENCES v_domains (domain_uuid) ON DELETE CASCADE,
    secretary_name varchar(100) NOT NULL
);

-- Every other column is added when missing, so an older table of the same name gets them too.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS company_name varchar(200);
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS extension varchar(20);
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS personality_prompt text NOT NULL DEFAULT '';
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS greeting_message text;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS farewell_message text;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS fallback_message text;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS transfer_message text;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS tts_voice_id varchar(100);
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS language varchar(10) DEFAULT 'pt-BR';
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS max_turns integer DEFAULT 20;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS transfer_extension varchar(20);
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS is_enabled boolean DEFAULT true;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS insert_date timestamptz DEFAULT now();
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS update_date timestamptz DEFAULT now();

-- The realtime provider and how the call's audio reaches it.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS realtime_provider varchar(30) DEFAULT 'openai';
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS realtime_model varchar(100);
-- 'passthrough': the call's µ-law straight to the provider (PCMU calls); 'wideband': 16/24 kHz PCM.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS audio_profile varchar(20) DEFAULT 'passthrough';

-- Limits: hang up after this long with nobody speaking, and after this long in total.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS silence_timeout_seconds integer DEFAULT 30;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS max_duration_seconds integer DEFAULT 600;

-- Handoff: words that send the caller to a person at once, and what to do when nobody can take the call.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS handoff_keywords varchar(500) DEFAULT 'atendente,humano,pessoa,operador,operator,human';
-- 'ticket': take a message; 'voicemail': the operator extension's voicemail; 'hangup'.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS fallback_action varchar(20) DEFAULT 'ticket';

-- What the secretary can tell callers (get_business_info): {"services": "...", "hours": "...", ...}.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS business_info jsonb DEFAULT '{}'::jsonb;

-- Business hours: {"mon": ["08:00-12:00", "13:00-18:00"], ..., "sun": []} in `timezone`;
-- holidays: [{"date": "2026-12-25", "name": "Christmas"}, {"date": "2026-12-24", "hours": ["08:00-12:00"]}].
-- NULL business_hours: always open.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS business_hours jsonb;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS timezone varchar(64) DEFAULT 'America/Sao_Paulo';
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS holidays jsonb DEFAULT '[]'::jsonb;
-- Outside hours: 'message' (say so, take a message), 'voicemail', 'transfer' (to transfer_extension), 'hangup'.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS after_hours_action varchar(20) DEFAULT 'message';
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS after_hours_message text;

-- Transfers: ring time, music on hold, and the announced (warm) transfer's briefing.
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS transfer_default_timeout integer DEFAULT 30;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS transfer_music_on_hold varchar(255) DEFAULT 'local_stream://moh';
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS transfer_realtime_prompt text;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS transfer_realtime_timeout integer DEFAULT 20;
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS hold_return_message text;

-- Where taken messages are posted (besides the table and the onMessage hook).
ALTER TABLE v_voice_secretaries ADD COLUMN IF NOT EXISTS webhook_url varchar(500);

CREATE INDEX IF NOT EXISTS idx_voice_secretaries_domain ON v_voice_secretaries (domain_uuid);
CREATE INDEX IF NOT EXISTS idx_voice_secretaries_extension ON v_voice_secretaries (domain_uuid, extension);
