import { startEmulators } from '../local/emulators.ts';

// The emulators in their own process, so the bench's CPU figures hold only the sender's work.
const emulators = await startEmulators({ ports: { dynamodb: 0, ses: 0 }, reuseRunning: false });
process.stdout.write(`${JSON.stringify(emulators.settings)}\n`);
process.on('SIGTERM', () => void emulators.close().then(() => process.exit(0)));
