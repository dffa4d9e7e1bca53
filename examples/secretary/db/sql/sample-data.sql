-- Sample tenants for the embedded database (`npm run demo`, a first `npm run secretary`) and the
-- tests: two FusionPBX domains in different time zones, their extensions, a secretary each, and
-- ACME's transfer destinations. Idempotent (ON CONFLICT DO NOTHING).

INSERT INTO v_domains (domain_uuid, domain_name, domain_enabled, domain_description) VALUES
    ('11111111-2222-4333-8444-555555555555', 'acme.example.com', true, 'ACME, São Paulo'),
    ('66666666-7777-4888-9999-000000000000', 'globex.example.com', true, 'Globex, Los Angeles')
ON CONFLICT DO NOTHING;

INSERT INTO v_extensions (extension_uuid, domain_uuid, extension, effective_caller_id_name, directory_first_name, directory_last_name, directory_visible, enabled, user_context) VALUES
    ('a0000000-0000-4000-8000-000000001000', '11111111-2222-4333-8444-555555555555', '1000', 'Reception', 'Reception', NULL, true, true, 'acme.example.com'),
    ('a0000000-0000-4000-8000-000000001001', '11111111-2222-4333-8444-555555555555', '1001', 'Maria Silva', 'Maria', 'Silva', true, true, 'acme.example.com'),
    ('a0000000-0000-4000-8000-000000001002', '11111111-2222-4333-8444-555555555555', '1002', 'John Carter', 'John', 'Carter', true, true, 'acme.example.com'),
    ('a0000000-0000-4000-8000-000000001003', '11111111-2222-4333-8444-555555555555', '1003', 'Paulo Souza', 'Paulo', 'Souza', true, true, 'acme.example.com'),
    ('a0000000-0000-4000-8000-000000001004', '11111111-2222-4333-8444-555555555555', '1004', 'Board Room', 'Board', 'Room', false, true, 'acme.example.com'),
    ('a0000000-0000-4000-8000-000000001005', '11111111-2222-4333-8444-555555555555', '1005', 'Old Desk', 'Old', 'Desk', true, false, 'acme.example.com'),
    ('b0000000-0000-4000-8000-000000001001', '66666666-7777-4888-9999-000000000000', '1001', 'Hank Scorpio', 'Hank', 'Scorpio', true, true, 'globex.example.com'),
    ('b0000000-0000-4000-8000-000000001002', '66666666-7777-4888-9999-000000000000', '1002', 'Maria Lopez', 'Maria', 'Lopez', true, true, 'globex.example.com')
ON CONFLICT DO NOTHING;

INSERT INTO v_voice_secretaries (
    voice_secretary_uuid, domain_uuid, secretary_name, company_name, extension, personality_prompt,
    greeting_message, farewell_message, fallback_message, transfer_message, language, tts_voice_id,
    realtime_provider, transfer_extension, business_info, business_hours, timezone, holidays,
    after_hours_message, hold_return_message
) VALUES (
    'dc923a2f-b88a-4a2f-8029-d6e0c06893c5', '11111111-2222-4333-8444-555555555555', 'Ana', 'ACME', '8000',
    'You answer for ACME, a maker of industrial anvils. Never promise delivery dates.',
    'Good morning, ACME, this is Ana. How can I help you?',
    'Thank you for calling ACME. Goodbye!',
    'I am sorry, I could not understand. Let me take a message.',
    'One moment, I will see if they can take your call.',
    'en-US', 'alloy', 'openai', '1000',
    '{"services": "Anvils, rockets and portable holes, sold to businesses.", "hours": "Monday to Friday, 8 am to 6 pm, São Paulo time.", "location": "Rua das Bigornas 100, São Paulo.", "contact": "sales@acme.example.com", "prices": "Anvils from 1200 reais; ask sales for a quote."}',
    '{"mon": ["08:00-18:00"], "tue": ["08:00-18:00"], "wed": ["08:00-18:00"], "thu": ["08:00-18:00"], "fri": ["08:00-17:00"]}',
    'America/Sao_Paulo',
    '[{"date": "2026-12-25", "name": "Christmas"}, {"date": "2026-12-24", "name": "Christmas Eve", "hours": ["08:00-12:00"]}, {"date": "2027-01-01", "name": "New Year"}]',
    'ACME is closed now.',
    'Thank you for holding.'
), (
    '5ec0e7a2-3b1d-4c4e-9f00-6a7b8c9d0e1f', '66666666-7777-4888-9999-000000000000', 'Max', 'Globex', '8000',
    'You answer for Globex Corporation.',
    'Globex Corporation, this is Max speaking. How may I help?',
    'Thanks for calling Globex. Bye now!',
    'Sorry, I did not catch that. May I take a message?',
    'Let me see if they are available.',
    'en-US', 'verse', 'openai', '1001',
    '{"services": "Global domination consulting.", "hours": "Monday to Friday, 9 am to 5 pm Pacific time."}',
    '{"mon": ["09:00-17:00"], "tue": ["09:00-17:00"], "wed": ["09:00-17:00"], "thu": ["09:00-17:00"], "fri": ["09:00-17:00"]}',
    'America/Los_Angeles',
    '[]',
    'Globex is closed right now.',
    'Thanks for waiting.'
)
ON CONFLICT DO NOTHING;

INSERT INTO v_voice_transfer_destinations (
    transfer_destination_uuid, domain_uuid, secretary_uuid, name, aliases, destination_type, destination_number,
    ring_timeout_seconds, department, role, description, transfer_mode, working_hours
) VALUES
    ('d0000000-0000-4000-8000-000000000001', '11111111-2222-4333-8444-555555555555', 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5',
     'Maria Silva', '["maria", "sales manager"]', 'extension', '1001', 20, 'sales', 'sales manager', 'Quotes, orders and large accounts.', 'announced', NULL),
    ('d0000000-0000-4000-8000-000000000002', '11111111-2222-4333-8444-555555555555', 'dc923a2f-b88a-4a2f-8029-d6e0c06893c5',
     'John Carter', '["john", "johnny"]', 'extension', '1002', 20, 'engineering', 'support engineer', 'Technical questions about installed anvils.', 'announced', '{"mon": ["10:00-16:00"], "wed": ["10:00-16:00"], "fri": ["10:00-16:00"]}'),
    ('d0000000-0000-4000-8000-000000000003', '11111111-2222-4333-8444-555555555555', NULL,
     'Finance', '["billing", "invoices", "payments", "boleto"]', 'ring_group', '2000', 30, 'finance', NULL, 'Invoices and payments.', 'blind', NULL),
    ('d0000000-0000-4000-8000-000000000004', '11111111-2222-4333-8444-555555555555', NULL,
     'Support', '["help desk", "technical support"]', 'queue', '5000', 60, 'support', NULL, 'The support team queue.', 'blind', NULL)
ON CONFLICT DO NOTHING;
