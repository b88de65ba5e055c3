import { OutboundMessage } from '../models/outbound-message';

/** Messages per channel and status, counted by the database ($group) for the stats route and /metrics alike. */
export async function deliveryCounts(): Promise<{ channel: string; status: string; count: number }[]> {
  const rows = await OutboundMessage.aggregate<{ _id: { channel: string; status: string }; count: number }>([{ $group: { _id: { channel: '$channel', status: '$status' }, count: { $sum: 1 } } }]);
  return rows.map((r) => ({ channel: r._id.channel, status: r._id.status, count: r.count })).sort((a, b) => a.channel.localeCompare(b.channel) || a.status.localeCompare(b.status));
}
