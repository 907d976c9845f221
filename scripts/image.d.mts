import type { ContainerEngine } from './engine.mjs';
export declare const ROOT: string;
export declare const VERSION: string;
export interface BaseImages {
  BUILD_IMAGE: string;
  NODE_IMAGE: string;
  SDK_IMAGE: string;
  ASPNET_IMAGE: string;
}
export declare const OFFICIAL: BaseImages;
export declare const STANDINS: BaseImages;
export declare function imageTag(platform?: string): string;
export declare function chooseBaseImages(opts?: { log?: (m: string) => void; engine?: ContainerEngine }): {
  kind: 'official' | 'stand-ins';
  images: BaseImages;
};
export declare function buildImage(opts?: { platform?: string; log?: (m: string) => void; engine?: ContainerEngine }): {
  tag: string;
  images: BaseImages;
  engine: ContainerEngine;
};
export declare function appImageArgs(engine: ContainerEngine, images: BaseImages, tag: string): string[];
export declare function runsArm64(): boolean;
export declare function run(cmd: string, args: string[], opts?: object): string;
