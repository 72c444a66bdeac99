package dev.sluice.ingest;

import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.DatasetDefinition;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.ss.util.NumberToTextConverter;
import org.apache.poi.util.XMLHelper;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.eventusermodel.XSSFSheetXMLHandler;
import org.apache.poi.xssf.model.StylesTable;
import org.apache.poi.xssf.usermodel.XSSFComment;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An XLSX workbook read as a stream of rows (POI's SAX event API: a sheet is never held whole).
 * Every sheet starts with a header row naming its columns; with {@code xlsx.sheetNameColumn} the
 * sheet's name is that column's value (one sheet per gauge). Date cells become ISO timestamps and
 * numbers keep their full value, not their display format. Bad rows name their sheet and row.
 */
public final class XlsxRecordReader implements RecordReader {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final RawRecord END = RawRecord.bad(-1, null, null);

    private final BlockingQueue<Object> rows = new ArrayBlockingQueue<>(1024);
    private final OPCPackage workbook;
    private final Thread parser;
    private boolean finished;

    public XlsxRecordReader(File file, DatasetDefinition dataset) {
        try {
            workbook = OPCPackage.open(file, PackageAccess.READ);
        } catch (Exception | LinkageError e) {
            throw new RejectedFileException("not a readable XLSX workbook: " + e.getMessage());
        }
        parser = new Thread(() -> parse(dataset), "sluice-xlsx");
        parser.setDaemon(true);
        parser.start();
    }

    private void parse(DatasetDefinition dataset) {
        try {
            XSSFReader reader = new XSSFReader(workbook);
            ReadOnlySharedStringsTable strings = new ReadOnlySharedStringsTable(workbook);
            StylesTable styles = reader.getStylesTable();
            XSSFReader.SheetIterator sheets = (XSSFReader.SheetIterator) reader.getSheetsData();
            while (sheets.hasNext()) {
                try (InputStream sheet = sheets.next()) {
                    XMLReader xml = XMLHelper.newXMLReader();
                    xml.setContentHandler(new XSSFSheetXMLHandler(styles, null, strings,
                            new SheetRows(sheets.getSheetName(), dataset), new IsoFormatter(), false));
                    xml.parse(new InputSource(sheet));
                }
            }
            put(END);
        } catch (StopParsing stopped) {
            // the reader was closed early
        } catch (RejectedFileException e) {
            put(e);
        } catch (Exception e) {
            put(new RejectedFileException("not a readable XLSX workbook: " + e.getMessage()));
        }
    }

    private void put(Object row) {
        try {
            rows.put(row);
        } catch (InterruptedException e) {
            throw new StopParsing();
        }
    }

    @Override
    public RawRecord next() throws IOException {
        if (finished) {
            return null;
        }
        Object row;
        try {
            row = rows.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (row instanceof RejectedFileException rejected) {
            finished = true;
            throw rejected;
        }
        if (row == END) {
            finished = true;
            return null;
        }
        return (RawRecord) row;
    }

    @Override
    public void close() throws IOException {
        parser.interrupt();
        workbook.revert();
    }

    /** One sheet's rows: its first non-empty row is the header. */
    private final class SheetRows implements XSSFSheetXMLHandler.SheetContentsHandler {

        private final String sheet;
        private final DatasetDefinition dataset;
        private final List<String> cells = new ArrayList<>();
        private int[] columnOf;
        private int sheetColumn = -1;

        SheetRows(String sheet, DatasetDefinition dataset) {
            this.sheet = sheet;
            this.dataset = dataset;
            for (int c = 0; c < dataset.columns().size(); c++) {
                if (dataset.columns().get(c).name().equals(dataset.sheetNameColumn())) {
                    sheetColumn = c;
                }
            }
        }

        @Override
        public void startRow(int rowNum) {
            cells.clear();
        }

        @Override
        public void cell(String reference, String value, XSSFComment comment) {
            int column = new CellReference(reference).getCol();
            while (cells.size() <= column) {
                cells.add(null);
            }
            cells.set(column, value == null || value.isEmpty() ? null : value);
        }

        @Override
        public void endRow(int rowNum) {
            if (cells.stream().allMatch(v -> v == null || v.isBlank())) {
                return;
            }
            if (columnOf == null) {
                header(rowNum);
                return;
            }
            String[] values = new String[dataset.columns().size()];
            for (int i = 0; i < cells.size() && i < columnOf.length; i++) {
                if (columnOf[i] >= 0) {
                    values[columnOf[i]] = cells.get(i);
                }
            }
            if (sheetColumn >= 0) {
                values[sheetColumn] = sheet;
            }
            put(new RawRecord(rowNum + 1, "sheet '" + sheet + "' row " + (rowNum + 1) + ": " + String.join(",",
                    cells.stream().map(v -> v == null ? "" : v).toList()), values, null));
        }

        private void header(int rowNum) {
            columnOf = new int[cells.size()];
            java.util.Arrays.fill(columnOf, -1);
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < dataset.columns().size(); c++) {
                ColumnDefinition column = dataset.columns().get(c);
                if (c == sheetColumn) {
                    continue;
                }
                int found = -1;
                for (int i = 0; i < cells.size(); i++) {
                    String name = cells.get(i);
                    if (name != null && name.strip().toLowerCase(Locale.ROOT).equals(column.field().toLowerCase(Locale.ROOT))) {
                        found = i;
                    }
                }
                if (found >= 0) {
                    columnOf[found] = c;
                } else if (column.required()) {
                    missing.add(column.field());
                }
            }
            if (!missing.isEmpty()) {
                throw new RejectedFileException("sheet '" + sheet + "' row " + (rowNum + 1) + ": header lacks required column(s) " + missing);
            }
        }
    }

    /** Dates as ISO text, numbers as their full value: what the type converters expect. */
    private static final class IsoFormatter extends DataFormatter {

        @Override
        public String formatRawCellContents(double value, int formatIndex, String formatString) {
            return formatRawCellContents(value, formatIndex, formatString, false);
        }

        @Override
        public String formatRawCellContents(double value, int formatIndex, String formatString, boolean use1904Windowing) {
            if (DateUtil.isADateFormat(formatIndex, formatString) && DateUtil.isValidExcelDate(value)) {
                return DateUtil.getLocalDateTime(value, use1904Windowing, true).format(ISO);
            }
            return NumberToTextConverter.toText(value);
        }
    }

    /** Thrown inside the parser thread when the reader is closed before the end. */
    private static final class StopParsing extends RuntimeException {
    }
}
