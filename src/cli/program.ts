import { Command, CommanderError, Option } from 'commander';
import { ArchiveUnavailableError } from '../archive/errors.js';
import { describeError, InputError, redactSecrets } from '../errors/index.js';
import type { RawFilters } from '../archive/filters.js';
import type { AgentsOptions } from './commands/agents.js';
import type { ConfigShowOptions } from './commands/config-show.js';
import type { DoctorOptions } from './commands/doctor.js';
import type { FeedsRetryOptions } from './commands/feeds-retry.js';
import type { FeedsStatusOptions } from './commands/feeds-status.js';
import type { ResumeOptions } from './commands/resume.js';
import type { WatchOptions } from './commands/watch.js';
import type { RunCommandOptions } from './commands/run.js';
import type { QuestionsListOptions } from './commands/questions-list.js';
import type { QuestionsShowOptions } from './commands/questions-show.js';
import type { QuestionsSuggestOptions } from './commands/questions-suggest.js';
import type { ResolveOptions } from './commands/resolve.js';
import type { ForecastsExportOptions } from './commands/forecasts-export.js';
import type { ScoresOptions } from './commands/scores.js';
import type { ServeOptions } from './commands/serve.js';
import type { ThreadsListOptions } from './commands/threads-list.js';
import type { ThreadsShowOptions } from './commands/threads-show.js';
import { ACTIVE_THREAD_DAYS } from '../threads/context.js';
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

  /** Model and call settings shared by every command that runs desks. */
  const modelOptions = (command: Command): Command =>
    command
      .option('--provider <name>', 'openai | anthropic | langchain | replay (default: $ASSESS_PROVIDER or openai); langchain takes --model integration:model, e.g. ollama:llama3.1')
      .option('--model <name>', 'model for the desks and synthesizer (default: $ASSESS_MODEL or the provider default)')
      .option('--synth-model <name>', 'model for the synthesizer only')
      .option('--concurrency <n>', 'desks assessed at once within a run (default 8)')
      .option('--timeout <seconds>', 'time limit for a whole run; then it stops and can be resumed (default 1800)')
      .option('--call-timeout <seconds>', 'timeout per model call; a hung call is cut and retried (default 180)')
      .option('--repairs <n>', 'repair turns after invalid output (default 2)')
      .option('--max-output-tokens <n>', 'output token limit per call (default 8192)')
      .option('--retries <n>', 'retries of transient provider errors (default 3)')
      .option('--rpm <n>', 'requests per minute per provider+model (default: learned from the provider\'s rate-limit headers)')
      .option('--tpm <n>', 'tokens per minute per provider+model, input + output cap (default: learned likewise)')
      .option('--prices <file>', 'YAML/JSON model prices (USD per million tokens) on top of the built-in ones (default: $ASSESS_PRICES)')
      .option('--config-file <file>', 'settings file (default: $ASSESS_CONFIG, else assess.config.yaml here if it exists)')
      .option('--fallbacks <list>', 'provider:model list tried in order when a model fails after its retries, e.g. anthropic:claude-sonnet-4-6')
      .option('--max-event-chars <n>', 'event bodies longer than this are cut, head and tail kept, the cut shown in the report (default 20000)')
      .option('--no-stream', 'wait for whole answers instead of streaming them (default: stream, $ASSESS_STREAM)')
      .option('--no-prompt-cache', 'do not mark the prompt prefix the desks share for the provider\'s cache ($ASSESS_PROMPT_CACHE)');

  modelOptions(program
    .command('run')
    .description('assess a news event with the country desks and synthesize a consolidated risk view')
    .argument('[events...]', 'event files (.json, .yaml, .yml, .md, .txt), http(s) URLs of news pages, folders of event files, .jsonl files, or - for stdin (one event, or JSON Lines)')
    .option('--title <text>', 'event title (instead of a file)')
    .option('--text <text>', 'event body text (with --title)')
    .option('--url <url>', 'event URL (with --title)')
    .option('--published <date>', 'publication date, ISO 8601 (with --title)')
    .option('--tags <list>', 'comma-separated tags (with --title)')
    .option('--language <tag>', 'language of the text, e.g. en, ja (with --title)')
    .option('--agents <ids>', 'comma-separated desk ids (default: all desks)'))
    .addOption(new Option('--format <format>', 'report format on stdout').choices(['md', 'json']).default('md'))
    .option('--out <dir>', 'write report.md and report.json to this folder instead of stdout (several events: a folder per event and index.md/index.json)')
    .option('--runs <n>', 'with several events: events assessed at once (default 2)')
    .option('--no-progress', 'no progress display on stderr')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent (default: $LOG_LEVEL or warn)')
    .option('--agents-dir <dir>', 'folder of desk files (default: the shipped agents/)')
    .option('--prompts-dir <dir>', 'folder of prompt templates (default: the shipped prompts/)')
    .option('--replay-dir <dir>', 'folder of recordings for --provider replay (default: fixtures/replay)')
    .option('--db <file>', 'archive file (default: $ASSESS_DB or ~/.local/share/assess/assess.db)')
    .option('--no-archive', 'do not archive this run')
    .option('--thread <id>', 'put the event in this thread (an id or prefix from `assess threads list`) instead of linking it by similarity')
    .option('--new-thread', 'start a new thread with the event (with several events: one thread each)')
    .option('--max-cost <usd>', 'cost budget for the run (with several events: for all of them): once reached, nothing new starts and the run ends degraded')
    .option('--max-tokens <n>', 'token budget for the run (input + output over all calls; with several events: for all of them), likewise')
    // The name this budget had before --max-tokens took it over; kept so scripts keep working.
    .addOption(new Option('--max-run-tokens <n>').hideHelp())
    .option('--dry-run', 'render every prompt and estimate tokens and cost per desk, without calling a model')
    // Commands load on demand: `runs list` should not pay for importing the model SDKs.
    .action(async (events: string[], options: RunCommandOptions) => {
      const { runCommand } = await import('./commands/run.js');
      setCode(await runCommand(events, options, io));
    });

  const filterOptions = (command: Command): Command =>
    command
      .option('--agent <id>', 'only runs with this desk, e.g. JP-01')
      .option('--since <when>', 'started at or after: 2025-09-26, an ISO date-time, or 7d / 24h / 30m')
      .option('--until <when>', 'started at or before (same forms)')
      .option('--status <status>', 'ok | degraded | failed | running | incomplete')
      .option('--event <idOrText>', 'event id (prefix) or text in the event title')
      .option('--limit <n>', 'at most this many (default 20)')
      .option('--db <file>', 'archive file (default: $ASSESS_DB or ~/.local/share/assess/assess.db)');

  const runs = program.command('runs').description('review archived runs');
  filterOptions(runs.command('list').description('archived runs, newest first'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: RawFilters & { db?: string; format: string }) => {
      const { runsListCommand } = await import('./commands/runs-list.js');
      setCode(await runsListCommand(options, io));
    });
  runs
    .command('show')
    .description('the report of an archived run (the same one `run` printed)')
    .argument('<runId>', 'run id or a unique prefix of it')
    .option('--agent <id>', 'only this desk')
    .option('--calls', 'the call log: attempts, validation issues, raw responses, tokens, latency')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .action(async (id: string, options: { db?: string; agent?: string; calls?: boolean; format: string }) => {
      const { runsShowCommand } = await import('./commands/runs-show.js');
      setCode(await runsShowCommand(id, options, io));
    });
  runs
    .command('diff')
    .description('what changed between two runs, desk by desk; or where two desks of one run diverge (--agents)')
    .argument('<runA>', 'run id or prefix')
    .argument('[runB]', 'run id or prefix')
    .option('--agents <a,b>', 'compare two desks of runA, e.g. JP-01,CN-01')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .action(async (a: string, b: string | undefined, options: { db?: string; agents?: string; format: string }) => {
      const { runsDiffCommand } = await import('./commands/runs-diff.js');
      setCode(await runsDiffCommand(a, b, options, io));
    });
  runs
    .command('export')
    .description('export an archived run as Markdown, JSON, or one self-contained HTML page')
    .argument('<runId>', 'run id or prefix')
    .addOption(new Option('--format <format>', 'export format').choices(['md', 'json', 'html']).default('md'))
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--db <file>', 'archive file')
    .action(async (id: string, options: { db?: string; format: string; out?: string }) => {
      const { runsExportCommand } = await import('./commands/runs-export.js');
      setCode(await runsExportCommand(id, options, io));
    });

  filterOptions(
    program
      .command('search')
      .description('full-text search over archived events and assessments (English, Japanese, Chinese, Korean)')
      .argument('<text>', 'words to find; "quoted phrases" stay together'),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (text: string, options: RawFilters & { db?: string; format: string }) => {
      const { searchCommand } = await import('./commands/search.js');
      setCode(await searchCommand(text, options, io));
    });

  program
    .command('resume')
    .description('rerun only the desks of an archived run that failed or never finished, then synthesize again')
    .argument('<runId>', 'run id or prefix')
    .option('--allow-changed-prompts', 'resume even though the prompt templates changed since the run')
    .addOption(new Option('--format <format>', 'report format on stdout').choices(['md', 'json']).default('md'))
    .option('--no-progress', 'no progress display on stderr')
    .option('--db <file>', 'archive file')
    .option('--prompts-dir <dir>', 'folder of prompt templates')
    .option('--replay-dir <dir>', 'folder of recordings for the replay provider')
    .option('--log-level <level>', 'log level')
    .option('--timeout <seconds>', 'time limit for this resume (default 1800)')
    .option('--rpm <n>', 'requests per minute per provider+model')
    .option('--tpm <n>', 'tokens per minute per provider+model')
    .option('--prices <file>', 'YAML/JSON model prices on top of the built-in ones')
    .option('--config-file <file>', 'settings file (default: $ASSESS_CONFIG, else assess.config.yaml here)')
    .action(async (id: string, options: ResumeOptions) => {
      const { resumeCommand } = await import('./commands/resume.js');
      setCode(await resumeCommand(id, options, io));
    });

  modelOptions(
    program
      .command('config')
      .description('the settings in effect')
      .command('show')
      .description('print the effective configuration, each value with its source (flag, environment, config file, default); keys redacted'),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--log-level <level>', 'log level')
    .option('--db <file>', 'archive file')
    .action(async (options: ConfigShowOptions) => {
      const { configShowCommand } = await import('./commands/config-show.js');
      setCode(await configShowCommand(options, io));
    });

  modelOptions(
    program
      .command('doctor')
      .description('check this setup: config, desks, prompts, keys, one tiny structured call per model in use, the archive'),
  )
    .option('--agents-dir <dir>', 'folder of desk files')
    .option('--prompts-dir <dir>', 'folder of prompt templates')
    .option('--db <file>', 'archive file')
    .option('--log-level <level>', 'log level')
    .action(async (options: DoctorOptions) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      setCode(await doctorCommand(options, io));
    });

  modelOptions(program
    .command('watch')
    .description('poll news feeds on their schedules and assess new stories as they arrive (archived)')
    .option('--config <file>', 'feeds file (default: assess.feeds.yaml in the working directory)')
    .option('--feed <url>', 'watch this one feed instead of a config file')
    .option('--every <duration>', 'poll interval for --feed, e.g. 10m (default 30m)')
    .option('--once', 'poll every feed once, assess what is new, and exit (for cron or systemd timers)')
    .option('--grace <duration>', 'on SIGINT/SIGTERM, time for runs in flight to finish (default 30s)')
    .option('--runs <n>', 'stories assessed at once (default 2)')
    .option('--triage', 'one small model call per new item picks its desks (or skips it), instead of keyword routing')
    .option('--max-cost <usd>', 'cost budget per run (a daily budget goes in the feeds file)')
    .option('--max-tokens <n>', 'token budget per run (input + output over all calls)'))
    .option('--log-level <level>', 'log level')
    .option('--db <file>', 'archive file (default: $ASSESS_DB or ~/.local/share/assess/assess.db)')
    .option('--agents-dir <dir>', 'folder of desk files')
    .option('--prompts-dir <dir>', 'folder of prompt templates')
    .option('--replay-dir <dir>', 'folder of recordings for --provider replay')
    .action(async (options: WatchOptions) => {
      const { watchCommand } = await import('./commands/watch.js');
      setCode(await watchCommand(options, io));
    });

  const feeds = program.command('feeds').description('the feed watcher');
  feeds
    .command('status')
    .description('per feed: last poll, HTTP status, last error or parse warning, next poll, items seen/assessed/skipped; the queue; items to retry and failed ones; runs in flight')
    .option('--config <file>', 'feeds file (default: assess.feeds.yaml if present)')
    .option('--recent <n>', 'recent items with their routing (default 10)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--db <file>', 'archive file')
    .action(async (options: FeedsStatusOptions) => {
      const { feedsStatusCommand } = await import('./commands/feeds-status.js');
      setCode(await feedsStatusCommand(options, io));
    });
  feeds
    .command('retry')
    .description('put failed feed items back in the queue with fresh attempts; their runs are continued, not repeated')
    .argument('[items...]', 'item ids, as `feeds status` lists failed items (e.g. 12 or #12)')
    .option('--all-failed', 'every failed item')
    .option('--db <file>', 'archive file')
    .action(async (items: string[], options: FeedsRetryOptions) => {
      const { feedsRetryCommand } = await import('./commands/feeds-retry.js');
      setCode(await feedsRetryCommand(items, options, io));
    });

  const threads = program.command('threads').description('stories over time: each archived event is in one thread');
  threads
    .command('list')
    .description('threads, newest activity first: events, runs, the latest risk level')
    .option('--active', `only threads with an event in the last ${ACTIVE_THREAD_DAYS} days (new events may join them by similarity)`)
    .option('--limit <n>', 'at most this many (default 50)')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'text', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .action(async (options: ThreadsListOptions) => {
      const { threadsListCommand } = await import('./commands/threads-list.js');
      setCode(await threadsListCommand(options, io));
    });
  threads
    .command('show')
    .description("a thread's events in time order with their runs and link decisions, each desk's stance history, each scenario's pooled probability history")
    .argument('<threadId>', 'thread id or a unique prefix of it')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .action(async (id: string, options: ThreadsShowOptions) => {
      const { threadsShowCommand } = await import('./commands/threads-show.js');
      setCode(await threadsShowCommand(id, options, io));
    });
  threads
    .command('merge')
    .description('move every event of thread B into thread A (archived assessments are not changed)')
    .argument('<a>', 'the thread to keep')
    .argument('<b>', 'the thread merged into it')
    .option('--db <file>', 'archive file')
    .action(async (a: string, b: string, options: { db?: string }) => {
      const { threadsMergeCommand } = await import('./commands/threads-merge.js');
      setCode(await threadsMergeCommand(a, b, options, io));
    });
  threads
    .command('move')
    .description('move one event to another thread, or to a new one (archived assessments are not changed)')
    .argument('<eventId>', 'event id or a unique prefix of it (threads show lists them)')
    .option('--to <thread>', 'a thread id, or new')
    .option('--db <file>', 'archive file')
    .action(async (eventId: string, options: { db?: string; to?: string }) => {
      const { threadsMoveCommand } = await import('./commands/threads-move.js');
      setCode(await threadsMoveCommand(eventId, options, io));
    });

  const questions = program.command('questions').description("forecast questions: each thread's scenarios, each merged risk, with every forecast made on them");
  questions
    .command('list')
    .description('forecast questions, soonest resolve-by first')
    .option('--due', 'only questions whose resolve-by date has passed and that are unresolved')
    .option('--thread <id>', 'only the questions of this thread (an id or prefix)')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .action(async (options: QuestionsListOptions) => {
      const { questionsListCommand } = await import('./commands/questions-list.js');
      setCode(await questionsListCommand(options, io));
    });
  questions
    .command('show')
    .description('a question: options, criteria, resolve-by, every forecast (desks, pools, baseline) and its resolution')
    .argument('<questionId>', 'question id, e.g. th-1a2b3c4d:Q or th-1a2b3c4d:R2')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .action(async (id: string, options: QuestionsShowOptions) => {
      const { questionsShowCommand } = await import('./commands/questions-show.js');
      setCode(await questionsShowCommand(id, options, io));
    });

  modelOptions(questions
    .command('suggest')
    .description('a model reads the newer events of each unresolved question\'s thread and proposes a resolution; nothing is resolved until a person confirms')
    .argument('[questionIds...]', 'questions to check (default: every unresolved question with newer events)')
    .option('--thread <id>', 'only the questions of this thread (an id or prefix)')
    .option('--due', 'only questions whose resolve-by date has passed')
    .option('--limit <n>', 'at most this many questions checked, one model call each (default 20)')
    .option('--confirm', 'ask y/N for each proposed resolution and record the ones confirmed'))
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .option('--prompts-dir <dir>', 'folder of prompt templates')
    .option('--replay-dir <dir>', 'folder of recordings for --provider replay')
    .action(async (ids: string[], options: QuestionsSuggestOptions) => {
      const { questionsSuggestCommand } = await import('./commands/questions-suggest.js');
      setCode(await questionsSuggestCommand(ids, options, io));
    });

  program
    .command('resolve')
    .description('record how a forecast question resolved (appends; a correction is a new entry, the history is kept)')
    .argument('<questionId>', 'question id, e.g. th-1a2b3c4d:Q or th-1a2b3c4d:R2')
    .option('--outcome <option>', 'the option that happened (yes or no for a risk question)')
    .option('--void', 'the question cannot be resolved (needs --note); never scored')
    .option('--evidence <url>', 'an http(s) URL showing the outcome')
    .option('--note <text>', 'a note kept with the resolution')
    .option('--at <date>', 'when the outcome happened (YYYY-MM-DD or ISO date-time; default now)')
    .option('--force', 'resolve a question whose current resolution is void, or date the outcome (--at) no later than its first forecast (then no forecast is scored)')
    .option('--db <file>', 'archive file')
    .action(async (id: string, options: ResolveOptions) => {
      const { resolveCommand } = await import('./commands/resolve.js');
      setCode(await resolveCommand(id, options, io));
    });

  modelOptions(program
    .command('serve')
    .description('the browser workspace over the archive: runs, run pages with charts, compare, threads, questions, feeds, reviews, new assessments; until Ctrl-C'))
    .option('--db <file>', 'archive file')
    .option('--max-cost <usd>', 'cost budget per run started from the browser')
    .option('--max-tokens <n>', 'token budget per run started from the browser (input + output over all calls)')
    .option('--log-level <level>', 'log level of the runs started from the browser (default: $LOG_LEVEL or warn)')
    .option('--agents-dir <dir>', 'folder of desk files')
    .option('--prompts-dir <dir>', 'folder of prompt templates')
    .option('--replay-dir <dir>', 'folder of recordings for --provider replay')
    .option('--port <n>', 'port to listen on (default 8080; 0 picks a free one)')
    .option('--host <host>', 'address to bind (default 127.0.0.1); any other than loopback requires an access token')
    .option('--token <token>', 'access token to require (default: $ASSESS_SERVE_TOKEN; generated and printed once for a non-loopback host)')
    .option('--open', 'open the workspace in the system browser')
    .option('--feeds <file>', 'feeds file for /feeds: schedules and daily limits (default: assess.feeds.yaml here, if it exists)')
    .action(async (options: ServeOptions) => {
      const { serveCommand } = await import('./commands/serve.js');
      setCode(await serveCommand(options, io));
    });

  program
    .command('scores')
    .description('score the forecasts on resolved questions: Brier, log score, skill, sharpness, reliability')
    .addOption(new Option('--by <group>', 'desk, model (desks relabelled by their model), pool (pools against the best desk) or thread').choices(['desk', 'model', 'pool', 'thread']).default('desk'))
    .option('--since <date>', 'only questions resolved on or after this date')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .option('--db <file>', 'archive file')
    .action(async (options: ScoresOptions) => {
      const { scoresCommand } = await import('./commands/scores.js');
      setCode(await scoresCommand(options, io));
    });

  program
    .command('forecasts')
    .description('forecast rows for analysis elsewhere')
    .command('export')
    .description('every forecast (one row per option) and every resolution entry, as CSV or JSON')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--db <file>', 'archive file')
    .action(async (options: ForecastsExportOptions) => {
      const { forecastsExportCommand } = await import('./commands/forecasts-export.js');
      setCode(await forecastsExportCommand(options, io));
    });

  const agents = program.command('agents').description('list and inspect the country desks');
  agents
    .command('list')
    .description('list the desks')
    .option('--agents-dir <dir>', 'folder of desk files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: AgentsOptions) => {
      const { agentsListCommand } = await import('./commands/agents.js');
      setCode(await agentsListCommand(options, io));
    });
  agents
    .command('show')
    .description('show one desk, brief included')
    .argument('<id>', 'desk id, e.g. JP-01')
    .option('--agents-dir <dir>', 'folder of desk files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (id: string, options: AgentsOptions) => {
      const { agentsShowCommand } = await import('./commands/agents.js');
      setCode(await agentsShowCommand(id, options, io));
    });

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
    if (error instanceof InputError) return EXIT.usage;
    return error instanceof ArchiveUnavailableError ? EXIT.archive : EXIT.failed;
  }
}
