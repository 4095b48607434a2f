import type { Emulator } from './types.js';

/** Help text of the emulator REPL. */
export const REPL_HELP = [
  'install <handlerUrl>              send ONAPPINSTALL to your app',
  'ui-install <appUrl> [installUrl]  add the app as a UI app; prints the app frame URL to open',
  'say <user> <botCode|chatN> <text> write as a user (user 1 is John Smith)',
  'press <messageId> <button>        press a keyboard button (index or text)',
  'messages                          list what the bots posted',
  'bots                              list registered bots',
  'help | quit',
].join('\n');

/**
 * Runs one REPL command against the default portal and returns what to print. Errors become text,
 * so a typo never ends the session.
 *
 * @example
 * await runReplCommand(emu, 'say 1 echo hello');
 */
export async function runReplCommand(emu: Emulator, line: string): Promise<string> {
  const [cmd = '', ...args] = line.trim().split(/\s+/);
  const portal = emu.portal;
  try {
    switch (cmd) {
      case '': return '';
      case 'help': return REPL_HELP;
      case 'install': {
        const answer = await portal.install(args[0] ?? '');
        return `install answered ${answer.status} ${JSON.stringify(answer.body)}`;
      }
      case 'ui-install': {
        portal.beginUiInstall();
        const [url = '', install] = args;
        return `open ${portal.appFrameUrl({ url, ...(install ? { install } : {}) })} (app.info INSTALLED is false until the page calls installFinish)`;
      }
      case 'say': {
        const [user = '', to = '', ...words] = args;
        const sent = await portal.sendMessage({ from: Number(user), to, text: words.join(' ') });
        const events = sent.deliveries.map((d) => `${d.event}→${d.botCode} (${d.mode} ${d.status ?? d.error ?? 'queued'})`);
        return `message ${sent.messageId}: ${events.join(', ') || 'no bot saw it'}`;
      }
      case 'press': {
        const [id = '', ...rest] = args;
        const label = rest.join(' ');
        const d = await portal.pressButton({ from: 1, messageId: Number(id), button: /^\d+$/.test(label) ? Number(label) : label });
        return `${d.event}→${d.botCode} (${d.mode} ${d.status ?? d.error ?? 'queued'})`;
      }
      case 'messages':
        return portal.messages().map((m) => `#${m.id} ${m.botCode} → ${m.dialogId}: ${m.deleted ? '(deleted)' : m.text}`
          + (m.keyboard ? ' [keyboard]' : '')).join('\n') || '(no bot messages yet)';
      case 'bots':
        return portal.bots().map((b) => `${b.id} ${b.code} ${b.api} ${b.type} ${b.eventMode}`).join('\n') || '(no bots yet)';
      default: return `unknown command "${cmd}"; type help`;
    }
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}
