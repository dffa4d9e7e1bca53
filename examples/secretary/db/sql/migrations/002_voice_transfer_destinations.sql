-- 002: v_voice_transfer_destinations — the people and departments callers ask for, by name,
-- alias or department. A row with secretary_uuid NULL serves every secretary of its domain.
-- Idempotent, and compatible with the voice-ai-ivr table of the same name.

CREATE TABLE IF NOT EXISTS v_voice_transfer_destinations (
    transfer_destination_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    domain_uuid uuid NOT NULL REFERENCES v_domains (domain_uuid) ON DELETE CASCADE,
    name varchar(100) NOT NULL,
    destination_number varchar(50) NOT NULL
);

-- Every other column is added when missing, so an older table of the same name gets them too.
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS secretary_uuid uuid REFERENCES v_voice_secretaries (voice_secretary_uuid) ON DELETE SET NULL;
-- Other ways callers say it: ["jeni", "jennifer", "billing"].
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS aliases jsonb DEFAULT '[]'::jsonb;
-- 'extension', 'ring_group', 'queue', 'external', 'voicemail'.
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS destination_type varchar(20) NOT NULL DEFAULT 'extension';
-- NULL: the caller's own context (FusionPBX: the domain name).
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS destination_context varchar(100);
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS ring_timeout_seconds integer DEFAULT 30;
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS max_retries integer DEFAULT 1;
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS retry_delay_seconds integer DEFAULT 5;
-- When nobody answers: 'offer_ticket', 'create_ticket', 'voicemail', 'return_agent', 'hangup'.
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS fallback_action varchar(30) DEFAULT 'offer_ticket';
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS department varchar(100);
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS role varchar(100);
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS description text;
-- {"mon": ["09:00-17:00"], ...} or voice-ai-ivr's {"start": "08:00", "end": "18:00", "days": [1,2,3,4,5]};
-- an optional "timezone" overrides the secretary's. NULL: the secretary's hours.
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS working_hours jsonb;
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS priority integer DEFAULT 100;
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS is_enabled boolean DEFAULT true;
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS is_default boolean DEFAULT false;
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS created_at timestamp DEFAULT now();
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS updated_at timestamp DEFAULT now();

-- 'announced': the secretary calls the person first and introduces the caller (warm transfer);
-- 'blind': straight transfer.
ALTER TABLE v_voice_transfer_destinations ADD COLUMN IF NOT EXISTS transfer_mode varchar(10) DEFAULT 'announced';

CREATE INDEX IF NOT EXISTS idx_vtd_domain ON v_voice_transfer_destinations (domain_uuid);
CREATE INDEX IF NOT EXISTS idx_vtd_secretary ON v_voice_transfer_destinations (secretary_uuid);
