/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      expiresAt\n      me {\n        subject\n        role\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": typeof types.SignOutDocument,
    "\n  query ApiKeyEdges($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n": typeof types.ApiKeyEdgesDocument,
    "\n  query WriteKeyEdges($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n": typeof types.WriteKeyEdgesDocument,
    "\n  query Me {\n    me {\n      subject\n      role\n      kind\n      permissions\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    role\n    prefix\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  fragment WriteKeyFields on WriteKey {\n    id\n    website\n    key\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": typeof types.WriteKeyFieldsFragmentDoc,
    "\n  query ApiKeys($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($name: String!, $role: Role!) {\n    createApiKey(name: $name, role: $role) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query WriteKeys($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...WriteKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.WriteKeysDocument,
    "\n  mutation CreateWriteKey($website: String!) {\n    createWriteKey(website: $website) {\n      ...WriteKeyFields\n    }\n  }\n": typeof types.CreateWriteKeyDocument,
    "\n  mutation RevokeWriteKey($id: ID!) {\n    revokeWriteKey(id: $id) {\n      ...WriteKeyFields\n    }\n  }\n": typeof types.RevokeWriteKeyDocument,
    "\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query Analytics($range: AnalyticsRangeInput!, $timeZone: String!, $granularity: Granularity!) {\n    analytics(range: $range, timeZone: $timeZone, granularity: $granularity) {\n      activeCustomers\n      sessions\n      events\n      averageSessionDurationSeconds\n      conversionRate\n      timeSeries {\n        start\n        sessions\n        events\n        pageViews\n        checkouts\n      }\n      eventTypes {\n        type\n        count\n        averageTimeSpentSeconds\n      }\n      pages(first: 10) {\n        page\n        views\n        averageTimeSpentSeconds\n      }\n      funnel {\n        step\n        sessions\n        share\n      }\n      countries {\n        key\n        sessions\n        share\n      }\n      devices {\n        key\n        sessions\n        share\n      }\n      notes\n    }\n  }\n": typeof types.AnalyticsDocument,
    "\n  query CustomerComparison($id: ID!, $range: AnalyticsRangeInput!, $timeZone: String!) {\n    analytics(range: $range, customerId: $id, timeZone: $timeZone) {\n      sessions\n      comparison {\n        activeCustomers\n        eventTypes {\n          type\n          customer\n          averageCustomer\n        }\n        pages {\n          page\n          customerViews\n          customerAverageTimeSpentSeconds\n          averageCustomerViews\n          overallAverageTimeSpentSeconds\n        }\n      }\n    }\n  }\n": typeof types.CustomerComparisonDocument,
    "\n  query Customer($id: ID!) {\n    customer(id: $id) {\n      id\n      databaseId\n      distinctId\n      name\n      email\n      country\n      language\n      createdAt\n      lastSeenAt\n    }\n  }\n": typeof types.CustomerDocument,
    "\n  mutation EraseCustomer($id: ID!) {\n    eraseCustomer(id: $id) {\n      erasedCustomerId\n      sessions\n      events\n    }\n  }\n": typeof types.EraseCustomerDocument,
    "\n  query SessionEvents($id: ID!, $first: Int, $after: String) {\n    session(id: $id) {\n      id\n      events(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            page\n            timestamp\n            metadata\n            bot\n            context {\n              browser\n              browserVersion\n              os\n              osVersion\n              deviceType\n              referrer\n              referrerDomain\n              utmSource\n              utmMedium\n              utmCampaign\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.SessionEventsDocument,
    "\n  query CustomerSessions($id: ID!, $first: Int, $after: String) {\n    customer(id: $id) {\n      id\n      sessions(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            startTime\n            active\n            durationSeconds\n            device\n            eventCount\n            bot\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.CustomerSessionsDocument,
    "\n  query Customers(\n    $search: String\n    $filter: CustomerFilterInput\n    $orderBy: CustomerOrder\n    $first: Int\n    $after: String\n  ) {\n    customers(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          email\n          country\n          lastSeenAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.CustomersDocument,
    "\n  query InsightTrends($input: TrendsInput!) {\n    trends(input: $input) {\n      interval\n      timeZone\n      rows\n      engineMs\n      series {\n        label\n        seriesIndex\n        breakdownValue\n        isOther\n        total\n        points {\n          start\n          value\n        }\n      }\n    }\n  }\n": typeof types.InsightTrendsDocument,
    "\n  query InsightEventNames($input: EventNamesInput!) {\n    eventNames(input: $input) {\n      name\n      count\n    }\n  }\n": typeof types.InsightEventNamesDocument,
    "\n  query InsightPropertyNames($input: PropertyNamesInput!) {\n    propertyNames(input: $input) {\n      name\n      type\n      count\n    }\n  }\n": typeof types.InsightPropertyNamesDocument,
    "\n  query InsightDimensions {\n    insightDimensions {\n      key\n      label\n      type\n      personal\n    }\n  }\n": typeof types.InsightDimensionsDocument,
};
const documents: Documents = {
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      expiresAt\n      me {\n        subject\n        role\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": types.SignOutDocument,
    "\n  query ApiKeyEdges($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n": types.ApiKeyEdgesDocument,
    "\n  query WriteKeyEdges($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n": types.WriteKeyEdgesDocument,
    "\n  query Me {\n    me {\n      subject\n      role\n      kind\n      permissions\n    }\n  }\n": types.MeDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    role\n    prefix\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  fragment WriteKeyFields on WriteKey {\n    id\n    website\n    key\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": types.WriteKeyFieldsFragmentDoc,
    "\n  query ApiKeys($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($name: String!, $role: Role!) {\n    createApiKey(name: $name, role: $role) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query WriteKeys($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...WriteKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.WriteKeysDocument,
    "\n  mutation CreateWriteKey($website: String!) {\n    createWriteKey(website: $website) {\n      ...WriteKeyFields\n    }\n  }\n": types.CreateWriteKeyDocument,
    "\n  mutation RevokeWriteKey($id: ID!) {\n    revokeWriteKey(id: $id) {\n      ...WriteKeyFields\n    }\n  }\n": types.RevokeWriteKeyDocument,
    "\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query Analytics($range: AnalyticsRangeInput!, $timeZone: String!, $granularity: Granularity!) {\n    analytics(range: $range, timeZone: $timeZone, granularity: $granularity) {\n      activeCustomers\n      sessions\n      events\n      averageSessionDurationSeconds\n      conversionRate\n      timeSeries {\n        start\n        sessions\n        events\n        pageViews\n        checkouts\n      }\n      eventTypes {\n        type\n        count\n        averageTimeSpentSeconds\n      }\n      pages(first: 10) {\n        page\n        views\n        averageTimeSpentSeconds\n      }\n      funnel {\n        step\n        sessions\n        share\n      }\n      countries {\n        key\n        sessions\n        share\n      }\n      devices {\n        key\n        sessions\n        share\n      }\n      notes\n    }\n  }\n": types.AnalyticsDocument,
    "\n  query CustomerComparison($id: ID!, $range: AnalyticsRangeInput!, $timeZone: String!) {\n    analytics(range: $range, customerId: $id, timeZone: $timeZone) {\n      sessions\n      comparison {\n        activeCustomers\n        eventTypes {\n          type\n          customer\n          averageCustomer\n        }\n        pages {\n          page\n          customerViews\n          customerAverageTimeSpentSeconds\n          averageCustomerViews\n          overallAverageTimeSpentSeconds\n        }\n      }\n    }\n  }\n": types.CustomerComparisonDocument,
    "\n  query Customer($id: ID!) {\n    customer(id: $id) {\n      id\n      databaseId\n      distinctId\n      name\n      email\n      country\n      language\n      createdAt\n      lastSeenAt\n    }\n  }\n": types.CustomerDocument,
    "\n  mutation EraseCustomer($id: ID!) {\n    eraseCustomer(id: $id) {\n      erasedCustomerId\n      sessions\n      events\n    }\n  }\n": types.EraseCustomerDocument,
    "\n  query SessionEvents($id: ID!, $first: Int, $after: String) {\n    session(id: $id) {\n      id\n      events(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            page\n            timestamp\n            metadata\n            bot\n            context {\n              browser\n              browserVersion\n              os\n              osVersion\n              deviceType\n              referrer\n              referrerDomain\n              utmSource\n              utmMedium\n              utmCampaign\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.SessionEventsDocument,
    "\n  query CustomerSessions($id: ID!, $first: Int, $after: String) {\n    customer(id: $id) {\n      id\n      sessions(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            startTime\n            active\n            durationSeconds\n            device\n            eventCount\n            bot\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.CustomerSessionsDocument,
    "\n  query Customers(\n    $search: String\n    $filter: CustomerFilterInput\n    $orderBy: CustomerOrder\n    $first: Int\n    $after: String\n  ) {\n    customers(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          email\n          country\n          lastSeenAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.CustomersDocument,
    "\n  query InsightTrends($input: TrendsInput!) {\n    trends(input: $input) {\n      interval\n      timeZone\n      rows\n      engineMs\n      series {\n        label\n        seriesIndex\n        breakdownValue\n        isOther\n        total\n        points {\n          start\n          value\n        }\n      }\n    }\n  }\n": types.InsightTrendsDocument,
    "\n  query InsightEventNames($input: EventNamesInput!) {\n    eventNames(input: $input) {\n      name\n      count\n    }\n  }\n": types.InsightEventNamesDocument,
    "\n  query InsightPropertyNames($input: PropertyNamesInput!) {\n    propertyNames(input: $input) {\n      name\n      type\n      count\n    }\n  }\n": types.InsightPropertyNamesDocument,
    "\n  query InsightDimensions {\n    insightDimensions {\n      key\n      label\n      type\n      personal\n    }\n  }\n": types.InsightDimensionsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      expiresAt\n      me {\n        subject\n        role\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      expiresAt\n      me {\n        subject\n        role\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    signOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeyEdges($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeyEdges($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WriteKeyEdges($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WriteKeyEdges($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      subject\n      role\n      kind\n      permissions\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      subject\n      role\n      kind\n      permissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    role\n    prefix\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    role\n    prefix\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WriteKeyFields on WriteKey {\n    id\n    website\n    key\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment WriteKeyFields on WriteKey {\n    id\n    website\n    key\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys($first: Int, $after: String) {\n    apiKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($name: String!, $role: Role!) {\n    createApiKey(name: $name, role: $role) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($name: String!, $role: Role!) {\n    createApiKey(name: $name, role: $role) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WriteKeys($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...WriteKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query WriteKeys($first: Int, $after: String) {\n    writeKeys(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...WriteKeyFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWriteKey($website: String!) {\n    createWriteKey(website: $website) {\n      ...WriteKeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWriteKey($website: String!) {\n    createWriteKey(website: $website) {\n      ...WriteKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeWriteKey($id: ID!) {\n    revokeWriteKey(id: $id) {\n      ...WriteKeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeWriteKey($id: ID!) {\n    revokeWriteKey(id: $id) {\n      ...WriteKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          at\n          actor\n          action\n          target\n          details\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Analytics($range: AnalyticsRangeInput!, $timeZone: String!, $granularity: Granularity!) {\n    analytics(range: $range, timeZone: $timeZone, granularity: $granularity) {\n      activeCustomers\n      sessions\n      events\n      averageSessionDurationSeconds\n      conversionRate\n      timeSeries {\n        start\n        sessions\n        events\n        pageViews\n        checkouts\n      }\n      eventTypes {\n        type\n        count\n        averageTimeSpentSeconds\n      }\n      pages(first: 10) {\n        page\n        views\n        averageTimeSpentSeconds\n      }\n      funnel {\n        step\n        sessions\n        share\n      }\n      countries {\n        key\n        sessions\n        share\n      }\n      devices {\n        key\n        sessions\n        share\n      }\n      notes\n    }\n  }\n"): (typeof documents)["\n  query Analytics($range: AnalyticsRangeInput!, $timeZone: String!, $granularity: Granularity!) {\n    analytics(range: $range, timeZone: $timeZone, granularity: $granularity) {\n      activeCustomers\n      sessions\n      events\n      averageSessionDurationSeconds\n      conversionRate\n      timeSeries {\n        start\n        sessions\n        events\n        pageViews\n        checkouts\n      }\n      eventTypes {\n        type\n        count\n        averageTimeSpentSeconds\n      }\n      pages(first: 10) {\n        page\n        views\n        averageTimeSpentSeconds\n      }\n      funnel {\n        step\n        sessions\n        share\n      }\n      countries {\n        key\n        sessions\n        share\n      }\n      devices {\n        key\n        sessions\n        share\n      }\n      notes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerComparison($id: ID!, $range: AnalyticsRangeInput!, $timeZone: String!) {\n    analytics(range: $range, customerId: $id, timeZone: $timeZone) {\n      sessions\n      comparison {\n        activeCustomers\n        eventTypes {\n          type\n          customer\n          averageCustomer\n        }\n        pages {\n          page\n          customerViews\n          customerAverageTimeSpentSeconds\n          averageCustomerViews\n          overallAverageTimeSpentSeconds\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CustomerComparison($id: ID!, $range: AnalyticsRangeInput!, $timeZone: String!) {\n    analytics(range: $range, customerId: $id, timeZone: $timeZone) {\n      sessions\n      comparison {\n        activeCustomers\n        eventTypes {\n          type\n          customer\n          averageCustomer\n        }\n        pages {\n          page\n          customerViews\n          customerAverageTimeSpentSeconds\n          averageCustomerViews\n          overallAverageTimeSpentSeconds\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Customer($id: ID!) {\n    customer(id: $id) {\n      id\n      databaseId\n      distinctId\n      name\n      email\n      country\n      language\n      createdAt\n      lastSeenAt\n    }\n  }\n"): (typeof documents)["\n  query Customer($id: ID!) {\n    customer(id: $id) {\n      id\n      databaseId\n      distinctId\n      name\n      email\n      country\n      language\n      createdAt\n      lastSeenAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EraseCustomer($id: ID!) {\n    eraseCustomer(id: $id) {\n      erasedCustomerId\n      sessions\n      events\n    }\n  }\n"): (typeof documents)["\n  mutation EraseCustomer($id: ID!) {\n    eraseCustomer(id: $id) {\n      erasedCustomerId\n      sessions\n      events\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionEvents($id: ID!, $first: Int, $after: String) {\n    session(id: $id) {\n      id\n      events(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            page\n            timestamp\n            metadata\n            bot\n            context {\n              browser\n              browserVersion\n              os\n              osVersion\n              deviceType\n              referrer\n              referrerDomain\n              utmSource\n              utmMedium\n              utmCampaign\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SessionEvents($id: ID!, $first: Int, $after: String) {\n    session(id: $id) {\n      id\n      events(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            name\n            page\n            timestamp\n            metadata\n            bot\n            context {\n              browser\n              browserVersion\n              os\n              osVersion\n              deviceType\n              referrer\n              referrerDomain\n              utmSource\n              utmMedium\n              utmCampaign\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerSessions($id: ID!, $first: Int, $after: String) {\n    customer(id: $id) {\n      id\n      sessions(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            startTime\n            active\n            durationSeconds\n            device\n            eventCount\n            bot\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CustomerSessions($id: ID!, $first: Int, $after: String) {\n    customer(id: $id) {\n      id\n      sessions(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            startTime\n            active\n            durationSeconds\n            device\n            eventCount\n            bot\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Customers(\n    $search: String\n    $filter: CustomerFilterInput\n    $orderBy: CustomerOrder\n    $first: Int\n    $after: String\n  ) {\n    customers(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          email\n          country\n          lastSeenAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Customers(\n    $search: String\n    $filter: CustomerFilterInput\n    $orderBy: CustomerOrder\n    $first: Int\n    $after: String\n  ) {\n    customers(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          email\n          country\n          lastSeenAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InsightTrends($input: TrendsInput!) {\n    trends(input: $input) {\n      interval\n      timeZone\n      rows\n      engineMs\n      series {\n        label\n        seriesIndex\n        breakdownValue\n        isOther\n        total\n        points {\n          start\n          value\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query InsightTrends($input: TrendsInput!) {\n    trends(input: $input) {\n      interval\n      timeZone\n      rows\n      engineMs\n      series {\n        label\n        seriesIndex\n        breakdownValue\n        isOther\n        total\n        points {\n          start\n          value\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InsightEventNames($input: EventNamesInput!) {\n    eventNames(input: $input) {\n      name\n      count\n    }\n  }\n"): (typeof documents)["\n  query InsightEventNames($input: EventNamesInput!) {\n    eventNames(input: $input) {\n      name\n      count\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InsightPropertyNames($input: PropertyNamesInput!) {\n    propertyNames(input: $input) {\n      name\n      type\n      count\n    }\n  }\n"): (typeof documents)["\n  query InsightPropertyNames($input: PropertyNamesInput!) {\n    propertyNames(input: $input) {\n      name\n      type\n      count\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InsightDimensions {\n    insightDimensions {\n      key\n      label\n      type\n      personal\n    }\n  }\n"): (typeof documents)["\n  query InsightDimensions {\n    insightDimensions {\n      key\n      label\n      type\n      personal\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;