import { readTokenConfig, type TokenConfig } from './auth/config.js';
import { readCommonConfig, type CommonConfig, type EnvReader } from './config.js';
import { readGrpcTlsConfig, type GrpcTlsConfig } from './tls.js';

/**
 * What every gRPC service reads: the common settings, how the caller's forwarded bearer token
 * is verified on every call (TokenConfig), and its listener.
 */
export interface GrpcServiceConfig extends CommonConfig, TokenConfig {
  /** GRPC_TLS_* / GRPC_INSECURE: mTLS on the gRPC listener (a client certificate required). */
  readonly grpcTls: GrpcTlsConfig;
  readonly grpcHost: string;
  /** 0 picks a free port. */
  readonly grpcPort: number;
}

export function readGrpcServiceConfig(env: EnvReader, defaultPort: number): GrpcServiceConfig {
  return {
    ...readCommonConfig(env),
    ...readTokenConfig(env),
    grpcTls: readGrpcTlsConfig(env),
    grpcHost: env.string('GRPC_HOST', '127.0.0.1'),
    grpcPort: env.int('GRPC_PORT', defaultPort, { min: 0, max: 65535 }),
  };
}
