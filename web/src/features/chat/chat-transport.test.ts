import { describe, expect, it } from 'vitest';
import { buildChatBody, type ChatUIMessage } from './chat-transport';

const user = (id: string, text: string): ChatUIMessage => ({ id, role: 'user', parts: [{ type: 'text', text }] });

describe('buildChatBody', () => {
  it('sends only the new message, never the history', () => {
    const messages = [user('a', 'first'), { id: 'b', role: 'assistant' as const, parts: [{ type: 'text' as const, text: 'reply' }] }, user('c', 'second')];
    expect(buildChatBody({ conversationId: 'conv', model: 'demo' }, { trigger: 'submit-message', messageId: undefined, messages })).toEqual({
      conversation_id: 'conv',
      model: 'demo',
      action: 'send',
      content: 'second',
    });
  });

  it('charges the team picked, and names none on the personal plan', () => {
    const request = { trigger: 'regenerate-message' as const, messageId: undefined, messages: [user('a', 'hi')] };
    expect(buildChatBody({ conversationId: 'conv', model: 'demo', teamId: 'team-1' }, request)).toEqual({
      conversation_id: 'conv',
      model: 'demo',
      action: 'regenerate',
      team_id: 'team-1',
    });
    expect(buildChatBody({ conversationId: 'conv', model: 'demo', teamId: null }, request)).not.toHaveProperty('team_id');
  });

  it('starts a new conversation without an id', () => {
    expect(buildChatBody({ conversationId: null, model: 'demo' }, { trigger: 'submit-message', messageId: undefined, messages: [user('a', 'hi')] })).toEqual({
      model: 'demo',
      action: 'send',
      content: 'hi',
    });
  });

  it('turns a resent message into an edit of that message', () => {
    expect(buildChatBody({ conversationId: 'conv', model: 'demo' }, { trigger: 'submit-message', messageId: 'a', messages: [user('a', 'changed')] })).toEqual({
      conversation_id: 'conv',
      model: 'demo',
      action: 'edit',
      message_id: 'a',
      content: 'changed',
    });
  });

  it('regenerates with no content and no message id', () => {
    expect(buildChatBody({ conversationId: 'conv', model: 'demo' }, { trigger: 'regenerate-message', messageId: 'b', messages: [user('a', 'q')] })).toEqual({
      conversation_id: 'conv',
      model: 'demo',
      action: 'regenerate',
    });
  });
});
