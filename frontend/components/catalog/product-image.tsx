import type { Image } from "@/lib/api/types";

// The catalog's images are square SVGs served by the gateway (via this site's /media proxy);
// width and height are set so the page does not shift while they load.
export const IMAGE_SIZE = 400;

interface Props {
  image: Image | undefined;
  fallbackAlt: string;
  size?: number;
  priority?: boolean;
}

export function ProductImage({ image, fallbackAlt, size = IMAGE_SIZE, priority = false }: Props) {
  if (!image) {
    return <div role="img" aria-label={`${fallbackAlt} (no picture)`} className="aspect-square w-full rounded bg-slate-100" />;
  }
  return (
    // A plain <img>: the images are small SVGs that next/image would not optimise anyway.
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={image.url}
      alt={image.alt || fallbackAlt}
      width={size}
      height={size}
      loading={priority ? "eager" : "lazy"}
      decoding="async"
      className="aspect-square h-auto w-full rounded bg-slate-50 object-cover"
    />
  );
}
