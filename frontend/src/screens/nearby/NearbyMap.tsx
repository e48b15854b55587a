// The map beside the nearby list (Leaflet through react-leaflet): the configured tiles (MAP_TILE_URL or
// Google's Map Tiles API, the one origin the page's Content-Security-Policy lets images come from) with
// the attribution the server names, where the search is from, and
// each hospital as a numbered circle matching its place in the list. Circles are drawn as SVG, so no
// marker image is fetched. Loaded only when a tile URL is configured.
import 'leaflet/dist/leaflet.css'
import { useEffect } from 'react'
import { CircleMarker, MapContainer, TileLayer, Tooltip, useMap } from 'react-leaflet'
import type { NearbyHospital } from '../../api/types'
import { formatDistance, type Point } from './place'

export function NearbyMap({ tiles, attribution, point, items }: { tiles: string; attribution: string; point: Point; items: NearbyHospital[] }) {
  return (
    <section className="panel nb-map" aria-label="Map of the nearby hospitals" data-testid="nearby-map">
      <MapContainer center={[point.lat, point.lng]} zoom={12} scrollWheelZoom={false} className="nb-map-canvas">
        <TileLayer url={tiles} attribution={attribution} />
        <CircleMarker center={[point.lat, point.lng]} radius={7} pathOptions={{ color: '#0b5cad', fillColor: '#0b5cad', fillOpacity: 0.9 }}>
          <Tooltip>You are here ({point.label})</Tooltip>
        </CircleMarker>
        {items.map((h, i) => (
          <CircleMarker
            key={h.id}
            center={[h.lat, h.lng]}
            radius={10}
            pathOptions={{ color: h.own ? '#b3261e' : '#1d6b3a', fillColor: h.own ? '#b3261e' : '#1d6b3a', fillOpacity: 0.75 }}
          >
            <Tooltip permanent direction="right" offset={[10, 0]}>
              {i + 1}. {h.name} · {formatDistance(h.distance_km)}
            </Tooltip>
          </CircleMarker>
        ))}
        <Fit point={point} items={items} />
      </MapContainer>
    </section>
  )
}

/** Zooms the map to show the search point and every hospital listed. */
function Fit({ point, items }: { point: Point; items: NearbyHospital[] }) {
  const map = useMap()
  useEffect(() => {
    const pts: [number, number][] = [[point.lat, point.lng], ...items.map((h): [number, number] => [h.lat, h.lng])]
    if (pts.length > 1) map.fitBounds(pts, { paddingTopLeft: [70, 50], paddingBottomRight: [190, 40], maxZoom: 15 }) // room for the zoom buttons, and for the labels right of each circle
    else map.setView(pts[0] ?? [point.lat, point.lng], 13)
  }, [map, point, items])
  return null
}
