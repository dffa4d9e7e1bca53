import { describe, expect, it } from 'vitest';
import { findDestination, normalize, withOperator } from '../../../examples/secretary/directory.js';
import { acmeSecretary, destination } from './fixtures.js';

const directory = [
  destination('Maria Silva', '1001', { aliases: ['maria', 'sales manager'], department: 'sales', role: 'sales manager' }),
  destination('Maria Lopez', '1007', { department: 'support' }),
  destination('John Carter', '1002', { aliases: ['john', 'johnny'], department: 'engineering', role: 'support engineer' }),
  destination('Finance', '2000', { type: 'ring_group', aliases: ['billing', 'invoices', 'boleto', 'financeiro'], department: 'finance', mode: 'blind' }),
  destination('João Gonçalves', '1009'),
  destination('João Pereira', '1010'),
];
const find = (q: string): string => {
  const m = findDestination(directory, q);
  return m.kind === 'match' ? m.destination.number : m.kind === 'ambiguous' ? `? ${m.candidates.map((c) => c.number).join(',')}` : 'none';
};

describe('directory: whom the caller means', () => {
  it.each([
    ['Maria Silva', '1001'],
    ['maria in sales', '1001'],
    ['Maria from support', '1007'],
    ['Maria', '? 1001,1007'],
    ['the sales manager', '1001'],
    ['I would like to talk to Johnny please', '1002'],
    ['billing', '2000'],
    ['quero falar com o financeiro', '2000'],
    ['the finance department', '2000'],
    ['joao goncalves', '1009'],
    ['JOÃO', '? 1009,1010'],
    ['Pereira', '1010'],
    ['extension 1002', '1002'],
    ['1007', '1007'],
    ['the CEO', 'none'],
    ['', 'none'],
    ['please', 'none'],
  ])('%j → %s', (query, expected) => {
    expect(find(query)).toBe(expected);
  });

  it('normalizes accents, case and punctuation', () => {
    expect(normalize('  Gonçalves-São  PAULO! ')).toBe('goncalves sao paulo');
  });

  it("adds the operator, reached by the handoff keywords, as a blind transfer to the secretary's operator extension", () => {
    const secretary = acmeSecretary({ transfer_extension: '1000', handoff_keywords: 'atendente, humano,operador' });
    const withOp = withOperator(directory, secretary);
    for (const q of ['atendente', 'um humano por favor', 'operator', 'reception']) {
      const m = findDestination(withOp, q);
      expect(m.kind === 'match' && m.destination).toMatchObject({ number: '1000', mode: 'blind' });
    }
    const existing = withOperator([destination('Reception', '1000', { source: 'extensions' })], secretary);
    expect(existing).toHaveLength(1);
    expect(existing[0]).toMatchObject({ name: 'Reception', mode: 'blind' });
    expect(withOperator(directory, acmeSecretary({ transfer_extension: null }))).toHaveLength(directory.length);
  });
});
