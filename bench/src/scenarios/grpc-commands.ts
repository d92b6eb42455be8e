import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { grpcChannelCredentials, type GrpcTlsConfig } from '@bank/platform';
import { commandsPackage, type commandTypes } from '@bank/proto';
import type { Outcome } from '../load/closed-loop.js';
import type { MixCommand } from './command-mix.js';

export const ACTOR = { id: 'bench-teller', roles: ['teller'] as const };
const DEADLINE_MS = 10_000;

/** A gRPC client of the command service, the way the gateway calls it (minus the HTTP edge). */
export class CommandClient {
  private readonly client: commandTypes.CommandServiceClient;
  private readonly metadata = new grpc.Metadata();

  /** `token`: a bearer token for ACTOR, forwarded the way the gateway forwards its caller's. */
  constructor(address: string, token: string, tls: GrpcTlsConfig) {
    const { CommandService } = commandsPackage();
    this.client = new CommandService(address, grpcChannelCredentials(tls));
    this.metadata.set('authorization', `Bearer ${token}`);
  }

  /** Runs one command of the mix; classifies the answer like the gateway's status mapping. */
  run(command: MixCommand): Promise<{ kind: Outcome; status: string }> {
    const context = { commandId: randomUUID(), actor: { ...ACTOR, roles: [...ACTOR.roles] } };
    const options = { deadline: new Date(Date.now() + DEADLINE_MS) };
    return new Promise((resolve) => {
      const done = (error: grpc.ServiceError | null): void => resolve(classify(error));
      switch (command.kind) {
        case 'transfer':
          this.client.RequestTransfer(
            {
              context,
              fromAccountId: command.from,
              toAccountId: command.to,
              amount: command.amount,
            },
            this.metadata,
            options,
            done,
          );
          break;
        case 'deposit':
          this.client.Deposit(
            { context, accountId: command.account, amount: command.amount },
            this.metadata,
            options,
            done,
          );
          break;
        case 'withdrawal':
          this.client.Withdraw(
            { context, accountId: command.account, amount: command.amount },
            this.metadata,
            options,
            done,
          );
          break;
      }
    });
  }

  close(): void {
    this.client.close();
  }
}

function classify(error: grpc.ServiceError | null): { kind: Outcome; status: string } {
  if (!error) return { kind: 'ok', status: 'OK' };
  const status = grpc.status[error.code] ?? String(error.code);
  if (error.code === grpc.status.ABORTED) return { kind: 'conflict', status };
  if (error.code === grpc.status.FAILED_PRECONDITION) return { kind: 'rejection', status };
  return { kind: 'error', status };
}
