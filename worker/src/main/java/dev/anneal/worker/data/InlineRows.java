package dev.anneal.worker.data;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows sent inside the request as {@code google.protobuf.Struct}s. */
public final class InlineRows implements RowSource {
    private final String name;
    private final List<Struct> rows;

    public InlineRows(String name, List<Struct> rows) {
        this.name = name;
        this.rows = rows;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public RowCursor open() {
        Iterator<Struct> structs = rows.iterator();
        return new RowCursor() {
            @Override
            public boolean hasNext() {
                return structs.hasNext();
            }

            @Override
            public Map<String, Object> next() {
                return toMap(structs.next());
            }

            @Override
            public void close() {
            }
        };
    }

    public static Map<String, Object> toMap(Struct struct) {
        Map<String, Object> row = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((column, value) -> row.put(column, toJava(value)));
        return row;
    }

    /** JSON numbers arrive as doubles; integral ones become Long so labels keep txtai's int semantics. */
    static Object toJava(Value value) {
        return switch (value.getKindCase()) {
            case NUMBER_VALUE -> {
                double number = value.getNumberValue();
                yield number == Math.rint(number) && Math.abs(number) < 1e15 ? (Object) (long) number : number;
            }
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case LIST_VALUE -> toList(value.getListValue());
            case STRUCT_VALUE -> toMap(value.getStructValue());
            case NULL_VALUE, KIND_NOT_SET -> null;
        };
    }

    private static List<Object> toList(ListValue list) {
        List<Object> values = new ArrayList<>(list.getValuesCount());
        for (Value value : list.getValuesList()) {
            values.add(toJava(value));
        }
        return values;
    }
}
