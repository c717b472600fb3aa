"""Limits on what one GraphQL operation may ask, refused with ``QUERY_TOO_COMPLEX``.

Checked after parsing and before validation, so that neither validation nor
execution spends time on a document we refuse (the query text is checked before
parsing). Each exceeded limit gives one error; nothing is executed.

* **documentSize**: characters of query text and of ``operationName``, which
  is matched against the document's names and echoed when none matches. A
  longer request is not parsed, so no other limit is reported with it.
  Variables are bounded by the body's size (api/server/bodylimit.py), the limit
  meant for them: ``trackEvents`` batches are sent as variables.
* **depth**: the deepest field, root fields being at depth 1
  (``{ customers { nodes { id } } }`` is 3 deep). Fragments and inline
  fragments add no depth of their own; their fields count where they are
  spread. An ``ofType`` directly inside ``ofType`` adds none either: such a chain
  walks the wrappers (``[X!]!``) of one type, a few steps and one object each,
  and GraphiQL's introspection query nests nine of them.
* **aliases**: fields given an alias in the operation, counted once for every
  time the fragment holding them is spread.
* **rootFields**: fields selected on the root type, fragments expanded.
* **cost**: the number of objects that lists may return, as GitHub counts
  nodes. A field returning a connection (its type's name ends in
  ``Connection``) may return ``first`` or ``last`` nodes, else the default page
  size, never more than the maximum page size; a field returning a list whose
  argument is a list (``nodes(ids:)``) may return as many objects as it is
  given ids. Such a field costs that number times the numbers of every such
  field above it; all other fields cost nothing.
  ``customers(first: 100) { nodes { sessions(first: 100) { nodes { id } } } }``
  costs 100 + 100 * 100 = 10,100. Arguments given as variables are costed
  with the request's values (or the variable's default).

Every selection counts, including those ``@skip``/``@include`` would leave out
and those GraphQL would merge with another of the same name. Unknown fields and
fragments count as their selections allow and are refused by validation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    Node,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from strawberry.extensions import SchemaExtension

from api.db.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.settings import Settings
from schema.errors import Code
from schema.nodes import MAX_NODES

CONNECTION_SUFFIX = "Connection"


@dataclass(frozen=True)
class Limits:
    depth: int
    cost: int
    aliases: int
    root_fields: int
    query_chars: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            depth=settings.graphql_max_depth,
            cost=settings.graphql_max_cost,
            aliases=settings.graphql_max_aliases,
            root_fields=settings.graphql_max_root_fields,
            query_chars=settings.graphql_max_query_chars,
        )


@dataclass(frozen=True)
class Measure:
    """What a selection set asks for; ``cost`` is for one of its parent objects."""

    depth: int = 0
    cost: int = 0
    aliases: int = 0
    fields: int = 0  # fields directly in it, fragments expanded

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            depth=max(self.depth, other.depth),
            cost=self.cost + other.cost,
            aliases=self.aliases + other.aliases,
            fields=self.fields + other.fields,
        )


NOTHING = Measure()


def too_complex(limit: str, maximum: int, actual: int, message: str) -> GraphQLError:
    return GraphQLError(
        f"{message} exceeds the limit of {maximum:,} by {actual - maximum:,}",
        extensions={
            "code": Code.QUERY_TOO_COMPLEX.value,
            "limit": limit,
            "maximum": maximum,
            "actual": actual,
        },
    )


def check_length(query: str, limits: Limits, operation_name: object = None) -> GraphQLError | None:
    name = len(operation_name) if isinstance(operation_name, str) else 0
    size = len(query) + name
    if size <= limits.query_chars:
        return None
    what = "query text and operation name" if name else "query text"
    return too_complex("documentSize", limits.query_chars, size, f"{what} of {size:,} characters")


def check(measure: Measure, limits: Limits) -> list[GraphQLError]:
    found = [
        ("depth", limits.depth, measure.depth, f"query depth {measure.depth:,}"),
        ("aliases", limits.aliases, measure.aliases, f"alias count {measure.aliases:,}"),
        ("rootFields", limits.root_fields, measure.fields, f"root field count {measure.fields:,}"),
        ("cost", limits.cost, measure.cost, f"query cost {measure.cost:,}"),
    ]
    return [
        too_complex(limit, maximum, actual, message)
        for limit, maximum, actual, message in found
        if actual > maximum
    ]


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _unwrap(kind: Any) -> Any:
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


@dataclass
class _Measuring:
    """One operation being measured: its depth, cost and aliases, fragment by fragment."""

    schema: GraphQLSchema
    variables: dict[str, Any]
    fragments: dict[str, FragmentDefinitionNode]
    measured: dict[str, Measure] = field(default_factory=dict)

    def argument(self, node: FieldNode, name: str, definition: GraphQLField) -> Any:
        """The argument's value as a plain Python value, or its default in the schema."""
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                return self.variables.get(value.name.value)
            if isinstance(value, IntValueNode):
                # Python parses at most 4,300 digits; validation refuses such a number.
                return int(value.value) if len(value.value) <= 20 else None
            if isinstance(value, ListValueNode):
                return list(value.values)  # only their number matters
            if isinstance(value, NullValueNode):
                return None
            return value_from_ast_untyped(value, self.variables)
        declared = definition.args.get(name)
        default = declared.default_value if declared else None
        return default if isinstance(default, int | list) else None

    def list_length(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """How many objects a list field asked by a list argument may return."""
        if not isinstance(_unwrap(definition.type), GraphQLList):
            return None
        lengths = []
        for name, argument in definition.args.items():
            if not isinstance(_unwrap(argument.type), GraphQLList):
                continue
            value = self.argument(node, name, definition)
            # A single value where a list is expected is read as a list of one.
            lengths.append(len(value) if isinstance(value, list) else int(value is not None))
        if not lengths:
            return None
        return min(max(lengths), MAX_NODES)

    def size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """How many objects the field may return, when it returns a list we cost."""
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType) and named.name.endswith(CONNECTION_SUFFIX):
            sizes = [
                size
                for name in ("first", "last")
                if (size := _as_int(self.argument(node, name, definition))) is not None
            ]
            # Larger sizes are refused when resolving, with a clearer message.
            return max(0, min(max(sizes, default=DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE))
        return self.list_length(node, definition)

    def definition(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is not None and parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return parent.fields.get(name)
        return None

    def of_field(self, node: FieldNode, parent: GraphQLNamedType | None, enclosing: str) -> Measure:
        name = node.name.value
        definition = self.definition(parent, name)
        kind = get_named_type(definition.type) if definition else None
        inner = self.of_selections(node.selection_set, kind, name)
        size = self.size(node, definition) if definition else None
        chained = name == enclosing == "ofType" and parent is not None and parent.name == "__Type"
        return Measure(
            depth=inner.depth + (0 if chained else 1),
            cost=inner.cost if size is None else size + size * inner.cost,
            aliases=inner.aliases + (1 if node.alias else 0),
            fields=1,
        )

    def of_selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        enclosing: str,
    ) -> Measure:
        total = NOTHING
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.of_field(selection, parent, enclosing)
            elif isinstance(selection, FragmentSpreadNode):
                # Measured beforehand, dependencies first; missing when unknown or cyclic.
                total += self.measured.get(selection.name.value, NOTHING)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                total += self.of_selections(selection.selection_set, kind, enclosing)
        return total

    def measure_fragments(self) -> None:
        """Measure every fragment once, each after the fragments it spreads.

        Once each: a fragment spread twice in a fragment spread twice... would
        otherwise be walked exponentially often. Iteratively: a chain of
        fragments may be longer than Python's recursion limit. Fragments in a
        cycle are never measured; validation refuses them.
        """
        spreads = {name: set(_spreads(fragment)) for name, fragment in self.fragments.items()}
        waiting = {
            name: {s for s in names if s in self.fragments} for name, names in spreads.items()
        }
        ready = [name for name, names in waiting.items() if not names]
        spread_by: dict[str, list[str]] = {}
        for name, names in waiting.items():
            for spread in names:
                spread_by.setdefault(spread, []).append(name)
        while ready:
            name = ready.pop()
            fragment = self.fragments[name]
            kind = self.schema.get_type(fragment.type_condition.name.value)
            self.measured[name] = self.of_selections(fragment.selection_set, kind, "")
            for user in spread_by.get(name, []):
                waiting[user].discard(name)
                if not waiting[user]:
                    ready.append(user)


def _spreads(node: Node) -> Iterator[str]:
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, FragmentSpreadNode):
            yield current.name.value
        selection_set = getattr(current, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def operation_of(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: the one named, else the first (as Strawberry picks)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None


def _variables(
    operation: OperationDefinitionNode, given: Mapping[str, Any] | None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if isinstance(given, Mapping) and name in given:
            values[name] = given[name]
        elif definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Measure:
    """Measure the operation a request would run; ``fields`` counts its root fields."""
    operation = operation_of(document, operation_name)
    if operation is None:
        return NOTHING
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = _Measuring(schema, _variables(operation, variables), fragments)
    walk.measure_fragments()
    return walk.of_selections(
        operation.selection_set, schema.get_root_type(operation.operation), ""
    )


def _placeholder(operation_name: str | None) -> DocumentNode:
    """A document with one empty operation, standing in for a text we do not parse."""
    return DocumentNode(
        definitions=(
            OperationDefinitionNode(
                operation=OperationType.QUERY,
                name=NameNode(value=operation_name) if operation_name else None,
                variable_definitions=(),
                directives=(),
                selection_set=SelectionSetNode(selections=()),
            ),
        )
    )


class QueryLimits(SchemaExtension):
    """Refuses operations over the limits of ``settings`` (see the module's docstring)."""

    refused: GraphQLError | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        limits = Limits.of(context.context.settings)
        if context.graphql_document is None and context.query is not None:
            self.refused = check_length(context.query, limits, context.operation_name)
            if self.refused is not None:
                # As ParserCache does: with a document already there, Strawberry
                # does not parse the text. The operation's name must be found in it.
                name = context.operation_name
                context.graphql_document = _placeholder(name if isinstance(name, str) else None)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.refused is not None:
            errors = [self.refused]
        else:
            assert context.graphql_document is not None
            found = measure(
                context.schema._schema,
                context.graphql_document,
                context.operation_name,
                context.variables,
            )
            errors = check(found, Limits.of(context.context.settings))
        if errors:
            # Errors present before validation make Strawberry skip validating
            # and answer with them, executing nothing (as ValidationCache does).
            context.pre_execution_errors = [*(context.pre_execution_errors or []), *errors]
        yield
