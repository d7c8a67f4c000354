// RFC 9457 problem details from the server, turned into one error type the pages can read.

export interface ProblemIssue {
  path: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  issues?: ProblemIssue[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  /** Seconds from a Retry-After header, when the server sent one. */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, retryAfter?: number) {
    super(problem.detail ?? problem.title ?? `Request failed (${problem.status})`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code ?? `HTTP_${problem.status}`;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** Field messages by path ("email", "password"...), from a 422's issues. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.problem.issues ?? []) {
      const key = issue.path || '_';
      out[key] ??= issue.message;
    }
    return out;
  }
}

export async function problemFromResponse(res: Response): Promise<ApiError> {
  let problem: Problem = { status: res.status };
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await res.json()) as Partial<Problem>;
      problem = { ...body, status: typeof body.status === 'number' ? body.status : res.status };
    } catch {
      // a broken body keeps the bare status
    }
  }
  if (!problem.detail && !problem.title) problem.detail = defaultDetail(res.status);
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(problem, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

function defaultDetail(status: number): string {
  if (status === 0) return 'The server could not be reached.';
  if (status >= 500) return 'Something went wrong on the server; try again.';
  if (status === 404) return 'Not found.';
  return `The request failed (${status}).`;
}

/** A message a person can read, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'The server could not be reached. Check your connection and try again.';
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}
