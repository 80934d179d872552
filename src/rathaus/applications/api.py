from ninja import Router

router = Router(tags=["Online-Anträge"])
