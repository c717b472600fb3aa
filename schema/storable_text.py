"""Text no server of ours can store or answer (NUL, lone surrogates), refused
in any argument or variable of an operation before anything runs.

Arguments reach lookups and writes in many places (a distinct id, a search,
a key's name); refusing such text once, here, keeps each of them from meeting
a database that cannot encode it (an INTERNAL_SERVER_ERROR) or a write that
fails halfway."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectFieldNode,
    StringValueNode,
    VariableDefinitionNode,
)
from strawberry.extensions import SchemaExtension

from api.core.strings import text_problem
from schema.errors import Code


def _in_document(document: DocumentNode) -> Iterator[str]:
    """``where: problem`` for each string literal that cannot be stored."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, StringValueNode):
            if problem := text_problem(node.value):
                yield f"{path or 'query'}: {problem}"
        elif isinstance(node, ArgumentNode):
            stack.append((node.value, node.name.value))
        elif isinstance(node, VariableDefinitionNode):
            stack.append((node.default_value, f"${node.variable.name.value}"))
        elif isinstance(node, ObjectFieldNode):
            stack.append((node.value, f"{path}.{node.name.value}"))
        elif isinstance(node, ListValueNode):
            stack.extend((value, f"{path}[{index}]") for index, value in enumerate(node.values))
        elif isinstance(node, Node):
            for key in node.keys:
                child = getattr(node, key, None)
                children = child if isinstance(child, tuple | list) else (child,)
                stack.extend((item, path) for item in reversed(children) if isinstance(item, Node))


def _in_variables(variables: Mapping[str, Any] | None) -> Iterator[str]:
    """``where: problem`` for each string of the variables that cannot be stored."""
    if not isinstance(variables, Mapping):
        return
    stack: list[tuple[Any, str]] = [(value, f"${name}") for name, value in variables.items()]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if problem := text_problem(value):
                yield f"{path}: {problem}"
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and (problem := text_problem(key)):
                    yield f"{path}: a key {problem}"
                else:
                    stack.append((item, f"{path}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))


class StorableText(SchemaExtension):
    """Refuses an operation holding such text with one BAD_USER_INPUT error."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        # An operation refused already (QueryLimits) runs nothing either.
        if not context.pre_execution_errors and context.graphql_document is not None:
            found = next(_in_document(context.graphql_document), None) or next(
                _in_variables(context.variables), None
            )
            if found is not None:
                error = GraphQLError(found, extensions={"code": Code.BAD_USER_INPUT.value})
                # As in QueryLimits: errors before validation stop the operation.
                context.pre_execution_errors = [error]
        yield
