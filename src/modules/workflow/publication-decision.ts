import { badRequest } from '../../shared/errors.ts';
import { publicationOf } from '../cases/public-view.ts';
import type { Locked } from './engine.ts';

/**
 * Whether a closed case's answer is published, and in which words (design.md §1: a decision, not a
 * default): by default yes for a `public` case, no for a `status_only` one; never for a confidential
 * reporter; an edited public text only with a published answer. The answer as given stays.
 */
export function publicationDecision(row: Locked, publish: boolean | undefined, text: string | undefined) {
  const publication = publicationOf(row);
  const published = publish ?? publication === 'public';
  if (published && row.reporter_confidential)
    throw badRequest('Không công khai câu trả lời cho người phản ánh đề nghị giữ bí mật.', [
      { path: 'publish', message: 'Người phản ánh đề nghị giữ bí mật: câu trả lời không được công khai' },
    ]);
  if (!published && text !== undefined)
    throw badRequest('Chỉ sửa nội dung công khai khi công khai câu trả lời.', [
      { path: 'publicAnswer', message: 'Cần publish: true để có nội dung công khai' },
    ]);
  return {
    patch: { answer_published: published, public_answer: published ? (text ?? null) : null },
    data: { published, publicAnswer: published ? (text ?? null) : null, publication },
  };
}
