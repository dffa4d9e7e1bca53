-- 003: per-call records. v_voice_conversations: one row per call (outcome, summary, latencies);
-- v_voice_messages: its transcript, one row per line, with its time in the call.
-- Idempotent, and compatible with the voice-ai-ivr tables of the same names.

CREATE TABLE IF NOT EXISTS v_voice_conversations (
    voice_conversation_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domain_uuid uuid NOT NULL REFERENCES v_domains (domain_uuid) ON DELETE CASCADE
);

-- Every other column is added when missing, so an older table of the same name gets them too.
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS voice_secretary_uuid uuid REFERENCES v_voice_secretaries (voice_secretary_uuid) ON DELETE SET NULL;
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS call_uuid uuid;
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS caller_id_number varchar(50);
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS caller_id_name varchar(255);
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS start_time timestamptz NOT NULL DEFAULT now();
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS end_time timestamptz;
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS duration_seconds integer;
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS processing_mode varchar(20) DEFAULT 'realtime';
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS total_turns integer DEFAULT 0;
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS final_action varchar(50);
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS transfer_extension varchar(20);
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS transfer_department varchar(100);
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS insert_date timestamptz DEFAULT now();

-- 'answered', 'transferred', 'message', 'abandoned'.
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS outcome varchar(20);
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS summary text;
-- Per turn: ms from the caller stopping to the first audio of the answer.
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS turn_latencies_ms jsonb DEFAULT '[]'::jsonb;
ALTER TABLE v_voice_conversations ADD COLUMN IF NOT EXISTS provider varchar(50);

CREATE TABLE IF NOT EXISTS v_voice_messages (
    voice_message_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    voice_conversation_uuid uuid NOT NULL REFERENCES v_voice_conversations (voice_conversation_uuid) ON DELETE CASCADE,
    turn_number integer NOT NULL,
    role varchar(20) NOT NULL,
    content text NOT NULL
);

-- Every other column is added when missing, so an older table of the same name gets them too.
ALTER TABLE v_voice_messages ADD COLUMN IF NOT EXISTS insert_date timestamptz DEFAULT now();

ALTER TABLE v_voice_messages ADD COLUMN IF NOT EXISTS domain_uuid uuid REFERENCES v_domains (domain_uuid) ON DELETE CASCADE;
-- Ms since the call started.
ALTER TABLE v_voice_messages ADD COLUMN IF NOT EXISTS offset_ms integer;

CREATE INDEX IF NOT EXISTS idx_voice_conversations_domain ON v_voice_conversations (domain_uuid, start_time DESC);
CREATE INDEX IF NOT EXISTS idx_voice_conversations_call ON v_voice_conversations (call_uuid);
CREATE INDEX IF NOT EXISTS idx_voice_messages_conversation ON v_voice_messages (voice_conversation_uuid, turn_number);
