import { graphql } from '../../gql';

export const TrendsQuery = graphql(`
  query InsightTrends($input: TrendsInput!) {
    trends(input: $input) {
      interval
      timeZone
      rows
      engineMs
      series {
        label
        seriesIndex
        breakdownValue
        isOther
        total
        points {
          start
          value
        }
      }
    }
  }
`);

export const EventNamesQuery = graphql(`
  query InsightEventNames($input: EventNamesInput!) {
    eventNames(input: $input) {
      name
      count
    }
  }
`);

export const PropertyNamesQuery = graphql(`
  query InsightPropertyNames($input: PropertyNamesInput!) {
    propertyNames(input: $input) {
      name
      type
      count
    }
  }
`);

export const DimensionsQuery = graphql(`
  query InsightDimensions {
    insightDimensions {
      key
      label
      type
      personal
    }
  }
`);
