import { ensureGoTool } from './build-go-tool';
import { ferretdb, temporalCli } from './tools';

export interface ToolPaths {
  temporal: string;
  ferretdb: string;
}

/** Builds what is missing (both in parallel) and returns the linked binaries. */
export async function ensureTools(log?: (line: string) => void): Promise<ToolPaths> {
  const [temporal, ferret] = await Promise.all([ensureGoTool(temporalCli, log), ensureGoTool(ferretdb, log)]);
  return { temporal, ferretdb: ferret };
}

if (require.main === module) {
  ensureTools().then(
    (paths) => console.log(`[tools] ready: ${paths.temporal}, ${paths.ferretdb}`),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
