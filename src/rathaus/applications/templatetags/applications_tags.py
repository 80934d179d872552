from django import template

register = template.Library()


@register.simple_tag
def online_form_for(service):
    """The published online form of a catalog service, if any (for the service page CTA)."""
    from rathaus.applications.models import FormDefinition

    return service.form_definitions.filter(state=FormDefinition.State.PUBLISHED).first()


@register.simple_tag(takes_context=True)
def oidc_providers(context):
    from rathaus.applications.oidc import providers_for

    request = context.get("request")
    return providers_for(getattr(request, "municipality", None))
