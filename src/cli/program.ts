import { Command, CommanderError, Option } from 'commander';
import { describeError, InputError, redactSecrets } from '../errors/index.js';
import { agentsListCommand, agentsShowCommand, type AgentsOptions } from './commands/agents.js';
import { runCommand, type RunCommandOptions } from './commands/run.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

const VERSION = '0.1.0';

function buildProgram(io: CliIo, setCode: (code: ExitCode) => void): Command {
  const program = new Command('assess')
    .description('Country desks read a news event; a synthesizer merges them into one risk view.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showSuggestionAfterError(true);

  program
    .command('run')
    .description('assess a news event with the country desks and synthesize a consolidated risk view')
    .argument('[event]', 'event file (.json, .yaml, .yml, .md, .txt) or - for stdin')
    .option('--title <text>', 'event title (instead of a file)')
    .option('--text <text>', 'event body text (with --title)')
    .option('--url <url>', 'event URL (with --title)')
    .option('--published <date>', 'publication date, ISO 8601 (with --title)')
    .option('--tags <list>', 'comma-separated tags (with --title)')
    .option('--language <tag>', 'language of the text, e.g. en, ja (with --title)')
    .option('--agents <ids>', 'comma-separated desk ids (default: all desks)')
    .option('--provider <name>', 'openai | anthropic | replay (default: $ASSESS_PROVIDER or openai)')
    .option('--model <name>', 'model for the desks and synthesizer (default: $ASSESS_MODEL or the provider default)')
    .option('--synth-model <name>', 'model for the synthesizer only')
    .option('--concurrency <n>', 'desks assessed at once (default 8)')
    .option('--timeout <seconds>', 'timeout per model call (default 180)')
    .option('--repairs <n>', 'repair turns after invalid output (default 2)')
    .option('--max-tokens <n>', 'output token limit per call (default 8192)')
    .option('--retries <n>', 'retries of transient provider errors (default 3)')
    .addOption(new Option('--format <format>', 'report format on stdout').choices(['md', 'json']).default('md'))
    .option('--out <dir>', 'write report.md and report.json to this folder instead of stdout')
    .option('--no-progress', 'no progress display on stderr')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent (default: $LOG_LEVEL or warn)')
    .option('--agents-dir <dir>', 'folder of desk files (default: the shipped agents/)')
    .option('--prompts-dir <dir>', 'folder of prompt templates (default: the shipped prompts/)')
    .option('--replay-dir <dir>', 'folder of recordings for --provider replay (default: fixtures/replay)')
    .action(async (event: string | undefined, options: RunCommandOptions) => setCode(await runCommand(event, options, io)));

  const agents = program.command('agents').description('list and inspect the country desks');
  agents
    .command('list')
    .description('list the desks')
    .option('--agents-dir <dir>', 'folder of desk files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: AgentsOptions) => setCode(await agentsListCommand(options, io)));
  agents
    .command('show')
    .description('show one desk, brief included')
    .argument('<id>', 'desk id, e.g. JP-01')
    .option('--agents-dir <dir>', 'folder of desk files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (id: string, options: AgentsOptions) => setCode(await agentsShowCommand(id, options, io)));

  return program;
}

/**
 * Runs the CLI and returns the exit code; never exits the process itself (main.ts does). Every
 * error becomes one line on stderr: bad input exits 2, anything unexpected exits 1.
 */
export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message; help and version are not errors.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return EXIT.ok;
      return EXIT.usage;
    }
    const line = redactSecrets(describeError(error));
    io.stderr.write(`assess: ${line}\n`);
    return error instanceof InputError ? EXIT.usage : EXIT.failed;
  }
}
