/** Types of the plain-JavaScript worker module (its pure functions are exported for tests). */
export declare function elligator2Batch(us: readonly bigint[]): Buffer
export declare function hashToCurve(bytes: Buffer, offsets: ArrayLike<number>): Buffer
