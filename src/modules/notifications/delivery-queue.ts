import { deliveryJobId, type Queues } from '../../shared/queues.ts';

/**
 * Hands committed webhook deliveries to the `deliveries` queue. The job id is derived from the
 * delivery id, so handing one over twice (a retried producer, a sweep) adds it once.
 */
export async function enqueueDeliveries(
  queues: Pick<Queues, 'deliveries'>,
  deliveryIds: string[],
): Promise<void> {
  if (deliveryIds.length === 0) return;
  await queues.deliveries.addBulk(
    deliveryIds.map((deliveryId) => ({
      name: 'deliver',
      data: { deliveryId },
      opts: { jobId: deliveryJobId(deliveryId) },
    })),
  );
}
