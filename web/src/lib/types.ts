// The server's JSON shapes (snake_case, as on the wire), as its zod schemas define them. Type
// imports only: they vanish from the build, so no server code reaches the bundle (eslint refuses
// any other import from server/ in the web app).
import type { AdminUsageResponse, AdminUser as AdminUserResponse, ListUsersResponse, UpdateUserBody } from '../../../server/src/features/admin/admin.schemas';
import type { ChangePasswordBody, TokenResponse as TokenBody } from '../../../server/src/features/auth/auth.schemas';
import type { BillingResponse, CheckoutBody, RedirectResponse } from '../../../server/src/features/billing/billing.schemas';
import type { ChatBody } from '../../../server/src/features/chat/chat.schemas';
import type {
  ConversationListResponse,
  ConversationResponse,
  ConversationWithMessagesResponse,
  UpdateConversationBody,
} from '../../../server/src/features/conversations/conversations.schemas';
import type {
  ApiKeyListResponse,
  ApiKeyResponse,
  CreateApiKeyBody,
  CreatedApiKeyResponse,
  UpdateApiKeyBody,
} from '../../../server/src/features/keys/keys.schemas';
import type { ModelResponse, ModelsResponse as ModelsBody } from '../../../server/src/features/models/models.schemas';
import type { TiersResponse as TiersBody } from '../../../server/src/features/plans/plans.schemas';
import type { PreferencesResponse, PutPreferencesBody } from '../../../server/src/features/preferences/preferences.schemas';
import type { SharedConversationResponse, ShareStatusResponse } from '../../../server/src/features/sharing/sharing.schemas';
import type { SsoInfoResponse } from '../../../server/src/features/sso/sso.schemas';
import type {
  CreatedInvitationResponse,
  InvitationResponse,
  MemberResponse,
  TeamDetailResponse,
  TeamResponse,
  TeamUsageResponse,
} from '../../../server/src/features/teams/teams.schemas';
import type { CapBody, UsageResponse } from '../../../server/src/features/usage/usage.schemas';
import type { UserResponse } from '../../../server/src/features/users/users.schemas';
import type { TIER_NAMES as SERVER_TIER_NAMES, TierName as ServerTierName } from '../../../server/src/lib/tiers/tiers';

export type TierName = ServerTierName;
/**
 * The tiers in the server's order, for pickers. A value cannot be imported from the server (it
 * would bring zod and the tier module into the bundle), so this is typed as the server's own list:
 * a tier added, removed, renamed or moved there fails type checking here.
 */
export const TIER_NAMES: typeof SERVER_TIER_NAMES = ['free', 'starter', 'builder', 'advanced'];

export type User = UserResponse;
/** POST /api/auth/login and /api/auth/refresh: the token and the signed-in user. */
export type TokenResponse = TokenBody & { user: User };
/** GET /api/sso: the single sign-on provider of the login page, if any. */
export type SsoInfo = SsoInfoResponse;
export type PasswordChange = ChangePasswordBody;

export type Model = ModelResponse;
/** default_model is null when the user's plan allows none of the configured models. */
export type ModelsResponse = ModelsBody;

/** GET and PUT /api/preferences: the default instructions of new conversations. */
export type Preferences = PreferencesResponse;
export type PreferencesChange = PutPreferencesBody;

export type Conversation = ConversationResponse;
export type ConversationPatch = UpdateConversationBody;
/** A message of the branch shown, with the ids of its versions (docs/decisions/018). */
export type StoredMessage = ConversationWithMessagesResponse['messages'][number];
export type MessageStatus = StoredMessage['status'];
export type ConversationWithMessages = ConversationWithMessagesResponse;
export type ConversationPage = ConversationListResponse;

/** POST /api/chat. */
export type ChatRequestBody = ChatBody;

export type UsageReport = UsageResponse;
export type UsageCap = CapBody;
export type TiersResponse = TiersBody;
export type Tier = TiersResponse['tiers'][number];

export type ApiKey = ApiKeyResponse;
export type ApiKeyList = ApiKeyListResponse;
export type NewApiKey = CreateApiKeyBody;
/** The answer to a creation, the only one that carries the key itself. */
export type CreatedApiKey = CreatedApiKeyResponse;
export type ApiKeyChange = UpdateApiKeyBody;

/** A team as its list shows it, with the caller's role and cap in it (docs/decisions/021). */
export type Team = TeamResponse;
export type TeamRole = Team['role'];
/** GET /api/teams/{id}: the pool, the members, and open invitations for admins. */
export type TeamDetail = TeamDetailResponse;
export type TeamMember = MemberResponse;
export type TeamInvitation = InvitationResponse;
/** The answer to an invitation: the link to pass on when no mail was sent. */
export type CreatedInvitation = CreatedInvitationResponse;
/** GET /api/teams/{id}/usage: the pool, and by member and by model (admins) or one's own use. */
export type TeamUsage = TeamUsageResponse;

/** GET /api/billing: whether plans can be bought here, which, and the user's subscription. */
export type Billing = BillingResponse;
export type Subscription = NonNullable<BillingResponse['subscription']>;
export type CheckoutRequest = CheckoutBody;
/** Where to send the browser: Stripe's checkout page or its customer portal. */
export type Redirect = RedirectResponse;

export type AdminUser = AdminUserResponse;
export type AdminUsersPage = ListUsersResponse;
export type AdminUserPatch = UpdateUserBody;
export type AdminUsage = AdminUsageResponse;

/** Metadata the chat stream attaches to an assistant message (start and message-metadata chunks). */
export interface ChatMessageMetadata {
  conversation_id?: string;
  user_message_id?: string;
  model?: string;
  status?: MessageStatus;
  error?: string | null;
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number };
  /** The ids of this message's versions, itself included, oldest first (from the stored conversation). */
  versions?: string[];
}

/** GET /api/conversations/{id}/share: the conversation's shared link, or null. */
export type ShareStatus = ShareStatusResponse;
export type ShareLink = NonNullable<ShareStatusResponse['link']>;
/** GET /api/shared/{token}: a shared conversation as its reader sees it. */
export type SharedConversation = SharedConversationResponse;
