"""API input and output shapes for states, measures, positions and history."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from positions.models import ROUTE_CHOICES, Measure, Position, PositionChange, State

TEXT_LIMIT = 10_000


class StrictInputSerializer(serializers.Serializer[Any]):
    """An input serializer that refuses fields it does not know."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({field: ["Unknown field."] for field in unknown})
        return super().to_internal_value(data)


class StateOutput(serializers.ModelSerializer[State]):
    routes = serializers.SerializerMethodField()

    class Meta:
        model = State
        fields = [
            "code",
            "name",
            "nato_member",
            "nato_joined",
            "eu_member",
            "eu_population",
            "routes",
        ]

    def get_routes(self, state: State) -> list[str]:
        return [route.value for route in state.routes]


class MeasureOutput(serializers.ModelSerializer[Measure]):
    sponsor = serializers.CharField(source="sponsor_id")
    lead = serializers.CharField(source="lead_id")
    # The serializer's metaclass takes declared fields off the class, so this does not
    # shadow Field.parent at run time; the stubs cannot know.
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    participants = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "title",
            "summary",
            "category",
            "sponsor",
            "lead",
            "status",
            "eu_rule",
            "restricted",
            "participants",
            "kind",
            "parent",
            "target_route",
            "created_at",
            "updated_at",
        ]

    def get_participants(self, measure: Measure) -> list[str]:
        # Prefetched by the views: no query per measure.
        return sorted(state.code for state in measure.participants.all())

    def to_representation(self, measure: Measure) -> dict[str, Any]:
        data = super().to_representation(measure)
        if measure.status == Measure.Status.SILENCE and not self.context.get("silence_caught_up"):
            # A silence past its deadline reads as adopted, whether or not a worker closed it
            # (a list closes what is due before it reads, and says so in the context).
            from consensus.silence import measure_status_effective  # it imports positions

            data["status"] = measure_status_effective(measure=measure)
        return data


class StateCodeField(serializers.SlugRelatedField[State]):
    """A state named by its alpha-3 code (case-insensitive)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=State.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> State:
        if isinstance(data, str) and "\x00" in data:
            # PostgreSQL refuses a NUL in a query: no such state, before asking it.
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class MeasureCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=TEXT_LIMIT, allow_blank=True, required=False)
    category = serializers.ChoiceField(choices=Measure.Category.choices)
    sponsor = StateCodeField()
    lead = StateCodeField(
        required=False,
        allow_null=True,
        help_text="Leads the bilateral route; the sponsor if unset.",
    )
    status = serializers.ChoiceField(choices=Measure.Status.choices, required=False)
    eu_rule = serializers.ChoiceField(choices=Measure.EuRule.choices, required=False)
    restricted = serializers.BooleanField(required=False)
    participants = serializers.ListField(child=StateCodeField(), required=False, max_length=36)
    kind = serializers.ChoiceField(choices=Measure.Kind.choices, required=False)
    parent = serializers.IntegerField(  # type: ignore[assignment]  # as in MeasureOutput
        required=False, allow_null=True, min_value=1
    )
    target_route = serializers.ChoiceField(choices=ROUTE_CHOICES, required=False, allow_null=True)


class MeasureUpdateInput(MeasureCreateInput):
    """Only the fields sent change; a measure always has a lead, so it cannot be emptied."""

    lead = StateCodeField(required=False)


class PositionOutput(serializers.ModelSerializer[Position]):
    state = serializers.CharField(source="state_id")
    measure = serializers.IntegerField(source="measure_id")
    stances = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = [
            "state",
            "measure",
            "stances",
            "reservations",
            "note",
            "version",
            "updated_at",
            "updated_by",
        ]

    def get_stances(self, position: Position) -> dict[str, str]:
        return {route.value: stance.value for route, stance in position.stances().items()}

    def get_updated_at(self, position: Position) -> str | None:
        # A state that has not spoken yet has no update time.
        return (
            serializers.DateTimeField().to_representation(position.updated_at)
            if position.pk
            else None
        )

    def get_updated_by(self, position: Position) -> str | None:
        return position.updated_by.username if position.updated_by else None


class PositionInput(StrictInputSerializer):
    stances = serializers.DictField(child=serializers.CharField(max_length=20), allow_empty=True)
    reservations = serializers.CharField(max_length=TEXT_LIMIT, allow_blank=True, required=False)
    note = serializers.CharField(max_length=TEXT_LIMIT, allow_blank=True, required=False)


class ChangeOutput(serializers.ModelSerializer[PositionChange]):
    state = serializers.CharField(source="state_id")
    changes = serializers.SerializerMethodField()
    by = serializers.SerializerMethodField()

    class Meta:
        model = PositionChange
        fields = ["id", "at", "state", "version", "changes", "reservations", "note", "by", "source"]

    def get_changes(self, change: PositionChange) -> dict[str, list[str]]:
        return {
            route.value: [before.value, after.value]
            for route, (before, after) in change.transitions().items()
        }

    def get_by(self, change: PositionChange) -> str | None:
        return change.by.username if change.by else None
