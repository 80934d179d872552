from django.shortcuts import get_object_or_404, render

from .models import LifeSituation, Service, Topic


def published(request):
    return Service.objects.for_municipality(request.municipality).filter(is_published=True)


def home(request):
    return render(
        request,
        "catalog/home.html",
        {"topics": Topic.objects.all(), "life_situations": LifeSituation.objects.all()},
    )


def service_detail(request, slug):
    service = get_object_or_404(published(request), slug=slug)
    return render(request, "catalog/service_detail.html", {"service": service})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return render(
        request,
        "catalog/topic.html",
        {"topic": topic, "services": published(request).filter(topic=topic)},
    )


def life_situation_detail(request, slug):
    situation = get_object_or_404(LifeSituation, slug=slug)
    return render(
        request,
        "catalog/life_situation.html",
        {"situation": situation, "services": published(request).filter(life_situations=situation)},
    )
