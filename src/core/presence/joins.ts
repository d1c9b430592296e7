// Reading an IngestResult's joins the same way whether they were listed (`joins`) or are read lazily
// (`joinedMembers`, what the engine asks for: a first sync joins everyone).
import type { IngestResult, JoinedMembers, Member } from './types.ts'

/** Every join, in order. */
export function joinsOf(result: Pick<IngestResult, 'joins' | 'joinedMembers'>): readonly Member[] | JoinedMembers {
  return result.joinedMembers ?? result.joins
}

/** How many joined. */
export function joinCountOf(result: IngestResult): number {
  return result.joinedMembers?.count ?? result.joinCount ?? result.joins.length
}

/** The last `n` joins, in order. */
export function lastJoins(result: IngestResult, n: number): Member[] {
  return result.joinedMembers?.last(n) ?? result.joins.slice(-n)
}
