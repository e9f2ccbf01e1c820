/** The jtrace binary format's numbers and codecs, shared by the recorder and the reader. */
module dev.jtrace.format {
    exports dev.jtrace.format;
}
