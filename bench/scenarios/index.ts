/** The scenarios by name. */
import type { Options, Target } from '../lib/args.ts';
import { clientEventsScenario } from './client-events.ts';
import { connectScenario } from './connect.ts';
import { fanOutScenario } from './fan-out.ts';
import { manyChannelsScenario } from './many-channels.ts';
import { subscribeScenario } from './subscribe.ts';

const SCENARIOS: Record<string, (target: Target, options: Options) => Promise<void>> = {
  connect: connectScenario,
  'subscribe-private': (target, options) => subscribeScenario('private', target, options),
  'subscribe-presence': (target, options) => subscribeScenario('presence', target, options),
  'fan-out': fanOutScenario,
  'many-channels': manyChannelsScenario,
  'client-events': clientEventsScenario,
};

export function runScenario(name: string, target: Target, options: Options): Promise<void> {
  const scenario = SCENARIOS[name];
  if (!scenario) {
    throw new Error(`unknown scenario "${name}"; one of: ${Object.keys(SCENARIOS).join(', ')}`);
  }
  return scenario(target, options);
}
