"""RabbitMQ as the local broker's transport: connections and publishing (`amqp.py`), `AmqpTransport`,
the Trigger consumers, the dead-letter queue."""
