// The HQ dashboard's words for a log's verification state and problems (renderer/hq/log-problems.ts), English and
// Simplified Chinese: what is wrong with a log, and what it means for the verdicts that rest on it.
import { type Catalogue, sentenceOf, wordsOf } from '../catalogue.ts';

const PROBLEMS = {
  problemsTitle: { 'en': 'Logs whose verdicts are not trusted ({count})', 'zh-CN': '判定不可信的日志（{count}）' },
  problemsBanner: {
    'en': '{count} logs hold entries that failed verification or conflict: verdicts that rest on them are not trusted.',
    'zh-CN': '有 {count} 个日志含有未通过校验或相互矛盾的条目：依据这些条目作出的判定不可信。',
  },
  problemsLink: { 'en': 'What is wrong, log by log', 'zh-CN': '逐个日志查看问题' },
  allVerified: {
    'en': 'Every log HQ holds is verified as far as it has been read: every verdict rests on verified entries.',
    'zh-CN': '指挥中心保存的所有日志在已读取的范围内均通过校验：所有判定都基于已校验的条目。',
  },
  problemLog: { 'en': 'Log {log}', 'zh-CN': '日志 {log}' },
  technical: { 'en': 'Technical detail (as recorded)', 'zh-CN': '技术细节（原始记录）' },
  kind_registry_refused: { 'en': 'Registry refused', 'zh-CN': '登记册被拒绝' },
  what_registry_refused: {
    'en': "HQ's registry log does not start with the registry key HQ trusts: it was replaced or re-signed. No kiosk registration or key revocation in it is believed, so no kiosk log can be verified and no verdict is given.",
    'zh-CN':
      '指挥中心的登记册日志并非以其信任的登记册密钥开头：该日志已被替换或重新签名。其中的自助机登记和密钥吊销一概不予采信，因此任何自助机日志都无法校验，不作出任何判定。',
  },
  kind_unregistered_key: { 'en': 'Key not registered', 'zh-CN': '密钥未登记' },
  what_unregistered_key: {
    'en': 'This log is not signed with the key the registry binds to it, or the registry does not list it: someone other than the kiosk may have written it.',
    'zh-CN': '该日志并非由登记册为其登记的密钥签名，或登记册中没有该日志：它可能不是该自助机写的。',
  },
  kind_revoked_key: { 'en': 'Signed with a revoked key', 'zh-CN': '使用已吊销的密钥签名' },
  what_revoked_key: {
    'en': 'Entries were signed with a key the registry revoked (a stolen or replaced kiosk).',
    'zh-CN': '有条目使用登记册已吊销的密钥签名（自助机被盗或已更换）。',
  },
  kind_forged: { 'en': 'Forged entry', 'zh-CN': '伪造条目' },
  what_forged: {
    'en': "An entry's signature does not verify: what is stored is not what the kiosk signed (edited or forged).",
    'zh-CN': '某条目的签名校验不通过：所存内容并非自助机签名的内容（被篡改或伪造）。',
  },
  kind_tampered: { 'en': 'Stored entries tampered with', 'zh-CN': '存储的条目被篡改' },
  what_tampered: {
    'en': 'The stored rows do not match the signed log: entries were edited, deleted, moved or swapped where they are stored.',
    'zh-CN': '存储的记录与签名日志不符：条目在存储处被修改、删除、移动或调换。',
  },
  kind_rolled_back: { 'en': 'Entries deleted or rolled back', 'zh-CN': '条目被删除或回滚' },
  what_rolled_back: {
    'en': 'HQ holds fewer entries of this log than it verified before: entries were deleted or the log was rolled back.',
    'zh-CN': '指挥中心保存的该日志条目少于此前已校验的数量：条目被删除，或日志被回滚。',
  },
  kind_changed: { 'en': 'Changed after verification', 'zh-CN': '校验后被修改' },
  what_changed: {
    'en': 'An entry HQ had already verified was changed where it is stored: what was read from it on has been withdrawn.',
    'zh-CN': '一条已通过校验的条目在存储处被修改：从该条目起读取的内容已全部撤回。',
  },
  kind_invalid: { 'en': 'Unreadable entry', 'zh-CN': '无法读取的条目' },
  what_invalid: {
    'en': 'An entry cannot be read or is malformed, so it cannot be verified.',
    'zh-CN': '某条目无法读取或格式有误，因此无法校验。',
  },
  kind_unknown: { 'en': 'Entry failed verification', 'zh-CN': '条目未通过校验' },
  what_unknown: { 'en': 'An entry of this log failed verification.', 'zh-CN': '该日志有条目未通过校验。' },
  heldFrom: {
    'en': 'Entry #{seq} and every later entry of this log are not used. Every finding HQ reaches from {time} on (the last verified entry of this log) is held as “not judged”, never given as a verdict, while this problem stands: a withheld entry could change it.',
    'zh-CN':
      '该日志第 {seq} 号条目及其后的所有条目均不予采用。在此问题解决之前，指挥中心自 {time}（该日志最后一条已校验条目）起得出的所有判定一律标为“未判定”，不作为违规结论：被扣留的条目可能改变这些判定。',
  },
  heldAll: {
    'en': 'Entry #{seq} and every later entry of this log are not used: while this problem stands, every finding HQ reaches is held as “not judged”, none is given as a verdict.',
    'zh-CN':
      '该日志第 {seq} 号条目及其后的所有条目均不予采用：在此问题解决之前，指挥中心的所有判定一律标为“未判定”，不作为违规结论。',
  },
  kind_forked: { 'en': 'Two versions of this log', 'zh-CN': '该日志存在两个版本' },
  what_forked: {
    'en': "Positions where the kiosk's key also signed an entry other than the one HQ holds: {count}. The log forked; both versions are kept as evidence.",
    'zh-CN':
      '自助机的密钥在 {count} 个位置上另行签署了与指挥中心所存条目不同的条目：日志出现分叉。两个版本均作为证据保存。',
  },
  means_forked: {
    'en': "HQ judges only from the version it verified and stored first. The kiosk's key signed both, so it may be in someone else's hands: do not rely on this log's verdicts until the kiosk is checked, and revoke its key if it was taken.",
    'zh-CN':
      '指挥中心仅依据其最先校验并保存的版本进行判定。两个版本均由该自助机的密钥签名，该密钥可能已落入他人之手：在检查该自助机之前请勿采信该日志的判定；如密钥被盗，请将其吊销。',
  },
  kind_witness_disagrees: { 'en': 'Another witness saw a different log', 'zh-CN': '其他见证方看到的日志不同' },
  what_witness_disagrees: {
    'en': "A checkpoint of this log cosigned by {witnesses} does not match HQ's copy: the kiosk may have shown different witnesses different histories.",
    'zh-CN': '{witnesses} 联署的该日志检查点与指挥中心的副本不符：自助机可能向不同见证方展示了不同的历史。',
  },
  means_witness_disagrees: {
    'en': "HQ judges from its own verified copy; until the difference is explained, do not rely on this log's verdicts.",
    'zh-CN': '指挥中心依据自己已校验的副本进行判定；在差异得到解释之前，请勿采信该日志的判定。',
  },
  colVerified: { 'en': 'Verified', 'zh-CN': '已校验' },
  verifiedTo: { 'en': 'up to #{seq}', 'zh-CN': '至第 {seq} 号' },
  verifiedNone: { 'en': 'nothing yet', 'zh-CN': '尚无' },
  verifying: { 'en': '{done} of {size}, verifying', 'zh-CN': '已校验 {done}/{size}，校验中' },
  notTrustedFrom: { 'en': 'not trusted from #{seq}', 'zh-CN': '自第 {seq} 号起不可信' },
  forkedCell: { 'en': 'forked', 'zh-CN': '已分叉' },
  headHash: { 'en': 'last verified entry {hash}', 'zh-CN': '最后已校验条目 {hash}' },
  rootHash: { 'en': 'root {hash}', 'zh-CN': '根哈希 {hash}' },
} as const satisfies Catalogue;

export const p = wordsOf(PROBLEMS);
/** A sentence with data (log names, hashes, times) in it, as nodes. */
export const pn = sentenceOf(PROBLEMS);
export type ProblemWord = keyof typeof PROBLEMS;
