-- 004: v_voice_taken_messages — messages callers leave for someone (who, name, callback number,
-- reason, urgency). Idempotent.

CREATE TABLE IF NOT EXISTS v_voice_taken_messages (
    voice_taken_message_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domain_uuid uuid NOT NULL REFERENCES v_domains (domain_uuid) ON DELETE CASCADE,
    reason text NOT NULL
);

-- Every other column is added when missing, so an older table of the same name gets them too.
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS voice_secretary_uuid uuid REFERENCES v_voice_secretaries (voice_secretary_uuid) ON DELETE SET NULL;
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS voice_conversation_uuid uuid;
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS call_uuid uuid;
-- Whom it is for, as the caller said it, and the destination it matched (if any).
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS recipient varchar(200);
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS transfer_destination_uuid uuid;
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS caller_name varchar(255);
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS callback_number varchar(50);
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS urgency varchar(10) NOT NULL DEFAULT 'normal' CHECK (urgency IN ('low', 'normal', 'high', 'urgent'));
-- 'new', then 'delivered' once the webhook (or whoever reads the table) took it.
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS status varchar(20) NOT NULL DEFAULT 'new';
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS delivered_at timestamptz;
ALTER TABLE v_voice_taken_messages ADD COLUMN IF NOT EXISTS insert_date timestamptz DEFAULT now();

CREATE INDEX IF NOT EXISTS idx_voice_taken_messages_domain ON v_voice_taken_messages (domain_uuid, insert_date DESC);
CREATE INDEX IF NOT EXISTS idx_voice_taken_messages_new ON v_voice_taken_messages (domain_uuid, status) WHERE status = 'new';
