import { graphql } from '../../gql';

// The admin pages' documents, shared by the pages of keys and the audit log.

export const ADMIN_PAGE_SIZE = 50;

graphql(`
  fragment ApiKeyFields on ApiKey {
    id
    name
    role
    prefix
    createdAt
    createdBy
    lastUsedAt
    revokedAt
  }
`);

graphql(`
  fragment WriteKeyFields on WriteKey {
    id
    website
    key
    createdAt
    createdBy
    lastUsedAt
    revokedAt
  }
`);

export const ApiKeysQuery = graphql(`
  query ApiKeys($first: Int, $after: String) {
    apiKeys(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...ApiKeyFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($name: String!, $role: Role!) {
    createApiKey(name: $name, role: $role) {
      secret
      apiKey {
        ...ApiKeyFields
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      ...ApiKeyFields
    }
  }
`);

export const WriteKeysQuery = graphql(`
  query WriteKeys($first: Int, $after: String) {
    writeKeys(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...WriteKeyFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const CreateWriteKeyMutation = graphql(`
  mutation CreateWriteKey($website: String!) {
    createWriteKey(website: $website) {
      ...WriteKeyFields
    }
  }
`);

export const RevokeWriteKeyMutation = graphql(`
  mutation RevokeWriteKey($id: ID!) {
    revokeWriteKey(id: $id) {
      ...WriteKeyFields
    }
  }
`);

export const AuditLogQuery = graphql(`
  query AuditLog($first: Int, $after: String) {
    auditLog(first: $first, after: $after) {
      edges {
        cursor
        node {
          at
          actor
          action
          target
          details
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
