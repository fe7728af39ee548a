import { LOCAL_ACCOUNT_ID } from "../contracts";
import { dashboardBodyFromStack, NoDashboardError, withAlarmWidgets, withFaultWidgets } from "../dashboard";
import type { EmbeddedCloud } from "./cloud";

export interface LocalDashboard {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the local dashboard on the run's record when the program declares a dashboard, with a row for the alarms'
 * states and one for the injected faults when there are any; never fails the run.
 */
export async function startDashboard(
  cloud: EmbeddedCloud,
  stack: Parameters<typeof dashboardBodyFromStack>[0],
): Promise<LocalDashboard | undefined> {
  if (!cloud.recorder) return undefined;
  let body: string;
  try {
    const alarmArns = (cloud.alarms?.definitions ?? []).map(
      (a) => `arn:aws:cloudwatch:${cloud.region}:${LOCAL_ACCOUNT_ID}:alarm:${a.name}`,
    );
    body = withFaultWidgets(
      withAlarmWidgets(dashboardBodyFromStack(stack), alarmArns),
      cloud.faults?.injector.kinds ?? [],
    );
  } catch (error) {
    if (error instanceof NoDashboardError) return undefined;
    throw error;
  }
  try {
    const { startDashboardServer } = await import("../dashboard/index.js");
    const server = await startDashboardServer({ runDir: cloud.recorder.folder, dashboardBody: body });
    cloud.updateState({ dashboardUrl: server.url });
    return server;
  } catch (error) {
    process.stderr.write(`local dashboard not started: ${(error as Error).message}\n`);
    return undefined;
  }
}
