/** The nice value heavy worker threads run at (the lowest priority). */
export declare const WORKER_NICE = 19
/**
 * Lower the calling worker thread's CPU priority to {@link WORKER_NICE} (Linux; a no-op on the
 * main thread, elsewhere, and when refused).
 * @returns whether the priority was lowered
 */
export declare function lowerThreadPriority(): boolean
