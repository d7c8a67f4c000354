import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './problem';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // A 4xx will not change by asking again; network trouble and 5xx may.
        retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status < 500),
      },
    },
  });
}
