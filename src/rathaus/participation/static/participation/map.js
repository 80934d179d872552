// Leaflet maps of the participation module. Progressive enhancement only: every page
// works without it (lists, address field, coordinate fields). Tiles come from the
// configured tile URL; without one (or offline) the map shows markers on a plain background.
// Tiles from a server the town does not run (data-tiles-ask) are loaded only after the
// citizen presses "Karte anzeigen": until then no request leaves this site.
(function () {
  "use strict";

  function parsePair(text) {
    if (!text) return null;
    var parts = text.split(",").map(Number);
    return parts.length === 2 && !isNaN(parts[0]) && !isNaN(parts[1]) ? parts : null;
  }

  function addTiles(map, el) {
    var url = el.dataset.tiles;
    if (!url) return;
    L.tileLayer(url, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }

  function askForTiles(map, el, ask) {
    // The question sits above the map (outside Leaflet's container), shown only with JS.
    el.insertAdjacentElement("beforebegin", ask);
    ask.hidden = false;
    ask.querySelector("[data-map-show]").addEventListener("click", function () {
      addTiles(map, el);
      el.classList.remove("participation-map--plain");
      ask.remove();
      el.focus();
    });
  }

  function circle(latlng, open, kind) {
    var fill = kind === "pump" ? "#1f5fa8" : kind === "point" ? "#004b76"
      : open === false ? "#2e7d32" : "#c0392b";
    return L.circleMarker(latlng, {
      radius: kind === "pump" ? 6 : 8, weight: 2, color: "#1a1a1a", fillColor: fill, fillOpacity: 0.9,
    });
  }

  function loadGeoJSON(map, url) {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return circle(latlng, feature.properties.open, feature.properties.kind);
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties, box = document.createElement("div");
            var link = document.createElement("a");
            link.href = p.url; link.textContent = p.title; link.className = "kern-link";
            box.appendChild(link);
            if (p.status) { var s = document.createElement("p"); s.textContent = p.status; box.appendChild(s); }
            layer.bindPopup(box);
          },
        }).addTo(map);
      })
      .catch(function () { /* the list below the map shows the same data */ });
  }

  function enablePicking(map, el) {
    var ids = el.dataset.pick.split(",");
    var latInput = document.getElementById(ids[0]), lonInput = document.getElementById(ids[1]);
    if (!latInput || !lonInput) return;
    var marker = null;
    function place(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
      if (marker) marker.setLatLng(latlng); else marker = circle(latlng, true).addTo(map);
    }
    var existing = parsePair(latInput.value && lonInput.value ? latInput.value + "," + lonInput.value : "");
    if (existing) { place(L.latLng(existing[0], existing[1])); map.setView(existing); }
    map.on("click", function (e) { place(e.latlng); });
    // Keyboard users: pan with the arrow keys, then take the map centre.
    var button = document.createElement("button");
    button.type = "button";
    button.className = "kern-btn kern-btn--secondary map-pick-button";
    var label = document.createElement("span");
    label.className = "kern-label";
    label.textContent = el.dataset.pickLabel || "Kartenmitte als Ort übernehmen";
    button.appendChild(label);
    button.addEventListener("click", function () { place(map.getCenter()); });
    el.insertAdjacentElement("afterend", button);
  }

  function init(el) {
    var center = parsePair(el.dataset.point) || parsePair(el.dataset.center) || [52.4, 13.06];
    var fallback = el.querySelector(".participation-map__fallback");
    if (fallback) fallback.remove();
    var ask = el.querySelector("[data-map-ask]");
    var map = L.map(el, { scrollWheelZoom: false }).setView(center, Number(el.dataset.zoom || 14));
    if (el.dataset.tilesAsk && ask) {
      el.classList.add("participation-map--plain");
      askForTiles(map, el, ask);
    } else {
      addTiles(map, el);
    }
    if (el.dataset.point) circle(center, true, "point").addTo(map);
    if (el.dataset.geojson) loadGeoJSON(map, el.dataset.geojson);
    if (el.dataset.pick) enablePicking(map, el);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(init);
  });
})();
