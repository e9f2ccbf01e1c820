package dev.jtrace.reader;

/**
 * Data of the file that the reader could not use, and why: a whole generation, some of its batches, or
 * bytes between generations.
 *
 * @param generation the generation the data belonged to, or -1 when unknown
 * @param offset file offset where the lost data starts
 * @param bytes bytes of the file lost (0 for batches that are missing from the file rather than corrupt)
 * @param events events lost, as far as the file's counts tell (GEN_END's, or the readable batch headers'),
 *     or -1 when nothing tells
 * @param wholeGeneration whether the whole generation is lost (else only some batches of it)
 * @param reason what was wrong
 */
public record LostData(long generation, long offset, long bytes, long events, boolean wholeGeneration,
        String reason) {
    @Override
    public String toString() {
        return (wholeGeneration ? (generation >= 0 ? "generation " + generation : "data of an unknown generation")
                : "part of generation " + generation) + " lost at offset " + offset + ": " + bytes + " bytes"
                + (events >= 0 ? ", " + events + " events" : "") + " (" + reason + ")";
    }
}
