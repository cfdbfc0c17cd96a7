from django.apps import AppConfig


class ConsensusConfig(AppConfig):
    name = "consensus"
    verbose_name = "Consensus"

    def ready(self) -> None:
        # Let DRF's typed generics (ListAPIView[Measure], ModelSerializer[State]...)
        # be written at run time. Done here, not in settings: importing DRF before
        # the settings are loaded would freeze its defaults (AllowAny, no auth).
        import django_stubs_ext
        from rest_framework import fields, generics, relations, serializers

        django_stubs_ext.monkeypatch(
            extra_classes=[
                serializers.Serializer,
                serializers.ModelSerializer,
                fields.Field,
                relations.RelatedField,
                generics.GenericAPIView,
            ]
        )
