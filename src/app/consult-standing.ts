// A requester's standing to pass a consult's image on (teaching, the PACS):
// their participation and grants, read once, judged by the one rule.
import { mayShareForTeaching } from '../core/access/teaching.js';
import type { WorkspaceRequester } from '../core/consult/rules.js';
import type { Database } from '../storage/database.js';

export async function consultStanding(db: Database, consultId: string, who: WorkspaceRequester, now: Date) {
  const [participant, grants] = await Promise.all([
    db.prisma.consultParticipant.findUnique({ where: { consultId_userId: { consultId, userId: who.userId } } }),
    db.prisma.grant.findMany({ where: { consultId, userId: who.userId } }),
  ]);
  return mayShareForTeaching({ sharer: who, consultId, participant, grants }, now);
}
