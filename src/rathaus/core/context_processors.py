from .permissions import is_staff_member


def municipality(request):
    current = getattr(request, "municipality", None)
    return {
        "municipality": current,
        "is_staff_member": bool(current and is_staff_member(request.user, current)),
    }
