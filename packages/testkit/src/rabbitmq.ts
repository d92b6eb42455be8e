/**
 * The RabbitMQ server the bench compares Kafka with: RABBITMQ_URL, else the machine's own
 * broker on the AMQP default port with RabbitMQ's default local account.
 */
export function rabbitmqUrl(): string {
  return process.env['RABBITMQ_URL']?.trim() || 'amqp://guest:guest@127.0.0.1:5672';
}
