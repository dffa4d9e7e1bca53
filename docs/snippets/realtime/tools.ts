import { defineTool, hangupCallTool, schema, transferCallTool } from 'freeswitch-voice-ai';

declare const inbox: { save(m: { for: string; text: string; callback?: string; urgency: 'normal' | 'urgent' }): Promise<string> };

export const takeMessage = defineTool({
  name: 'take_message',
  description: 'Take a message for someone who cannot answer now.',
  parameters: schema.object({
    for: schema.string({ description: 'Who the message is for.' }),
    text: schema.string({ description: 'The message, in the caller’s words.', maxLength: 2000 }),
    callback: schema.optional(schema.string({ pattern: '^\\+?[0-9]{6,15}$', description: 'A number to call back.' })),
    urgency: schema.enum(['normal', 'urgent']),
  }),
  // args: { for: string; text: string; callback?: string; urgency: 'normal' | 'urgent' }
  handler: async (args) => ({ saved: await inbox.save(args) }),
});

// A side effect that must wait for the assistant's last words.
export const closeTicket = defineTool({
  name: 'close_ticket',
  description: 'Close the caller’s ticket and end the call.',
  parameters: { type: 'object', properties: { ticket: { type: 'string' } }, required: ['ticket'] },
  handler: ({ ticket }, { afterSpeech }) => {
    afterSpeech(() => console.log('closing', ticket), { endSession: 'tool-hangup' });
    return { closing: ticket };
  },
});

export const tools = [takeMessage, closeTicket, transferCallTool({ allowed: ['1001', '1002'] }), hangupCallTool()];
