import { startController } from '../main';
import { tuneProcess } from './compaction';
import { mallocUnset, semiSpaceSet, SEMI_SPACE_FLAG } from './heap';
import { cliLogger, configOrReport, EXIT_CONFIG, type CliCommand } from './io';

export const start: CliCommand = {
  summary: 'run the controller (HTTP API, PBX connection, retention schedule)',
  usage: 'callrec start',
  async run(_args, io) {
    const cfg = configOrReport(io);
    if (!cfg) return EXIT_CONFIG;
    const logger = cliLogger(cfg);
    const stopCompacting = tuneProcess(process.execArgv, io.env.NODE_OPTIONS);
    const unset = [
      ...(semiSpaceSet(process.execArgv, io.env.NODE_OPTIONS) ? [] : [SEMI_SPACE_FLAG]),
      ...mallocUnset(io.env),
    ];
    if (unset.length > 0)
      logger.info(
        `started without ${unset.join(', ')} (callrec, npm start and the image set them): expect more resident memory under load (docs/performance.md)`,
      );
    let controller;
    try {
      controller = await startController(cfg, logger);
    } catch (e) {
      stopCompacting();
      logger.error(`callrec could not start: ${(e as Error).message}`);
      return 1;
    }
    await new Promise<void>((resolve) => {
      const onSignal = (sig: string) => {
        logger.info(`received ${sig}`);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    stopCompacting();
    await controller.stop();
    return 0;
  },
};
